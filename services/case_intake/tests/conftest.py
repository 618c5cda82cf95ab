from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from case_intake.app import create_app
from case_intake.settings import Settings
from civic.http.auth import Coverage, Role

VALID_CASE: dict[str, Any] = {
    "channel": "phone",
    "categories": ["food", "money"],
    "urgency": "this_week",
    "household": {"people": 3, "children": 2, "lives_alone": False,
                  "disability_or_long_term_condition": False, "no_internet_access": True},
    "contact": {"name": "Ada Example", "phone": "020 7974 4444", "email": "ada@example.org",
                "date_of_birth": "1961-04-02", "address": "1 Example Street, London"},
    "location": {"postcode": "NW1 0AA"},
    "consent": {"lawful_basis": "public_task", "share_with_partners": True,
                "terms_version": "2026-10"},
    "details": "Lost job last month, cupboards empty.",
}


def make_case_body(**overrides: Any) -> dict[str, Any]:
    body = copy.deepcopy(VALID_CASE)
    body.update(overrides)
    return body


@pytest.fixture
def case_body():  # type: ignore[no-untyped-def]
    """A factory for a valid case body, with top-level fields overridden."""
    return make_case_body


@pytest.fixture
def settings(database_url: str) -> Settings:
    # No relay and an unreachable broker: API tests exercise the database only.
    return Settings(database_url=database_url, kafka_bootstrap_servers="127.0.0.1:9",
                    apply_topics=False, run_relay=False, run_consumers=False, tune_gc=False)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def as_(client: TestClient):  # type: ignore[no-untyped-def]
    """as_("staff") -> headers carrying an API key with that role."""
    store = client.app.state.api_keys  # type: ignore[attr-defined]
    keys = {
        "staff": store.create("staff.duty-desk", Role.STAFF),
        # partners covering every ward and category; claims/ tests make narrower ones
        "partner": store.create("partner.foodbank", Role.PARTNER,
                                coverage=Coverage.everything()),
        "other_partner": store.create("partner.mutual-aid", Role.PARTNER,
                                      coverage=Coverage.everything()),
        "ops": store.create("ops.on-call", Role.OPS),
    }
    return lambda who: {"Authorization": f"Bearer {keys[who]}"}


@pytest.fixture
def new_case(client: TestClient, as_):  # type: ignore[no-untyped-def]
    """Create a case as staff (fields overridable) and return the 201 body."""
    def create(**overrides: Any) -> dict[str, Any]:
        response = client.post("/v1/cases", json=make_case_body(**overrides),
                               headers=as_("staff"))
        assert response.status_code == 201, response.text
        return response.json()
    return create


@pytest.fixture
def triaged_case(client: TestClient, as_, new_case):  # type: ignore[no-untyped-def]
    def create(**overrides: Any) -> str:
        case_id = new_case(**overrides)["id"]
        r = client.post(f"/v1/cases/{case_id}/status", json={"to": "triaged", "reason": "checked"},
                        headers=as_("staff"))
        assert r.status_code == 200, r.text
        return case_id
    return create



def browser_settings(tmp_path: Any, **overrides: Any) -> Settings:
    """For tests that drive chromium: CIVIC_ENV=dev, because staff and partner cookies
    carry Secure everywhere but dev and the browser talks plain http to a loopback server;
    SQLite, no broker (pages do not depend on either; storage runs on both elsewhere)."""
    return Settings(**{"database_url": f"sqlite:///{tmp_path}/pages.db",
                       "kafka_bootstrap_servers": "127.0.0.1:9", "apply_topics": False,
                       "run_relay": False, "run_consumers": False, "tune_gc": False,
                       "environment": "dev", **overrides})


@pytest.fixture
def pages(browser):  # type: ignore[no-untyped-def]
    """A page with JavaScript off, for the person, and one with it on, for axe."""
    no_js = browser.new_context(java_script_enabled=False)
    with_js = browser.new_context()
    for context in (no_js, with_js):
        context.set_default_timeout(5_000)
    yield no_js.new_page(), with_js.new_page()
    no_js.close()
    with_js.close()
