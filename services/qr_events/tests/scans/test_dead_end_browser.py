"""The dead-end pages in a real browser (Debian's chromium under Playwright), served by
the real app under uvicorn: axe-core finds no WCAG 2.2 A/AA violations on any of them,
and a retired code's replacement link leads on, by mouse or keyboard, with no
JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from civic.contracts.qr import CODE_ALPHABET
from civic.http.auth import DEV_KEYS, ensure_dev_keys
from civic.kafka.broker import free_port
from civic_testing import LiveServer, artefact_path, axe_violations
from qr_events.codes.identifiers import new_code
from qr_events.settings import Settings

pytestmark = pytest.mark.browser

STAFF = {"Authorization": f"Bearer {DEV_KEYS['staff.demo'][1]}"}
# Not a real host: the browser's requests there are answered by a route in the test.
INTAKE = "http://intake.test/request-help"
CODE = {"destination": {"kind": "intake_form"}, "touchpoint": "poster",
        "venue_name": "Kentish Town Library", "ward": "E05000139",
        "campaign": "winter-2026", "print_batch": "libraries-001"}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """The app alone under uvicorn, its short links pointing at itself, so a replacement
    link goes through the real redirect."""
    from qr_events.app import create_app

    port = free_port()
    app = create_app(Settings(
        database_url=f"sqlite:///{tmp_path}/browser.db", kafka_bootstrap_servers="127.0.0.1:9",
        apply_topics=False, run_relay=False, run_consumers=False,
        public_base_url=f"http://127.0.0.1:{port}", intake_form_url=INTAKE))
    ensure_dev_keys(app.state.container.database.engine)
    with LiveServer(app, port=port) as server:
        yield server


@pytest.fixture
def codes(live: LiveServer) -> dict[str, Any]:
    now = datetime.now(UTC)
    starts = datetime(now.year + 1, 12, 1, tzinfo=ZoneInfo("Europe/London"))
    with httpx.Client(base_url=live.url, headers=STAFF) as api:
        def make(**overrides: Any) -> dict[str, Any]:
            response = api.post("/v1/codes", json=CODE | overrides)
            assert response.status_code == 201, response.text
            return dict(response.json())

        made = {"expired": make(valid_from=(now - timedelta(days=2)).isoformat(),
                                valid_until=(now - timedelta(days=1)).isoformat()),
                "early": make(valid_from=starts.isoformat()),
                "retired": make(), "replacement": make(print_batch="libraries-002"),
                "live": make()}
        retired = api.post(f"/v1/codes/{made['retired']['code']}/retire",
                           json={"replacement": made["replacement"]["code"]})
        assert retired.status_code == 200, retired.text
    return made


@pytest.fixture
def no_js(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(5_000)
    context.route("http://intake.test/**", lambda route: route.fulfill(
        content_type="text/html",
        body='<!DOCTYPE html><html lang="en-GB"><title>Ask for help</title><h1>Ask for help'))
    yield context.new_page()
    context.close()


@pytest.fixture
def checker(browser):  # type: ignore[no-untyped-def]
    """axe needs JavaScript on to run; the pages themselves have none."""
    context = browser.new_context()
    context.set_default_timeout(5_000)
    yield context.new_page()
    context.close()


def _typo(code: str) -> str:
    wrong = next(c for c in CODE_ALPHABET if c != code[2])
    return code[:2] + wrong + code[3:]


def test_every_dead_end_passes_axe(live: LiveServer, codes: dict[str, Any],
                                   checker) -> None:  # type: ignore[no-untyped-def]
    """Mutations caught: the heading turned into ``<h3>`` (axe: page-has-heading-one),
    and a paragraph put after the footer, outside every landmark (axe: region)."""
    visits = [("expired", codes["expired"]["code"], 410, "This code has expired"),
              ("not-yet-valid", codes["early"]["code"], 404, "This code is not in use yet"),
              ("retired", codes["retired"]["code"], 410, "This code has been replaced"),
              ("unknown", new_code(), 404, "We cannot find that code"),
              ("typo", _typo(codes["live"]["code"]), 404, "We could not read that code")]
    for label, code, status, heading in visits:
        response = checker.goto(f"{live.url}/q/{code}")
        assert response.status == status, label
        assert checker.locator("h1").inner_text() == heading, label
        assert checker.get_by_role("link", name="020 7974 4444").get_attribute("href") \
            == "tel:+442079744444"
        violations = axe_violations(checker)
        checker.screenshot(path=artefact_path(f"qr-dead-end-{label}.png"), full_page=True)
        assert violations == [], f"{label}: {violations}"


def test_the_replacement_link_leads_on_without_javascript(
        live: LiveServer, codes: dict[str, Any], no_js) -> None:  # type: ignore[no-untyped-def]
    """Mutation caught: the replacement link pointed at the help form instead of the
    replacement's short URL."""
    page = no_js
    old, new = codes["retired"]["code"], codes["replacement"]
    page.goto(f"{live.url}/q/{old}")
    link = page.get_by_role("link", name=f"Go to the new code, {new['code']}")
    assert link.get_attribute("href") == f"{live.url}/q/{new['code']}"
    link.click()
    page.wait_for_url(f"{INTAKE}?**")
    assert page.url == new["destination"]["url"]
    assert page.locator("h1").inner_text() == "Ask for help"


def test_the_replacement_is_the_first_stop_for_the_keyboard(
        live: LiveServer, codes: dict[str, Any], no_js) -> None:  # type: ignore[no-untyped-def]
    """Mutation caught: the replacement link pointed at the help form instead of the
    replacement's short URL."""
    page = no_js
    new = codes["replacement"]
    page.goto(f"{live.url}/q/{codes['retired']['code']}")
    page.keyboard.press("Tab")
    assert page.locator(":focus").inner_text() == f"Go to the new code, {new['code']}"
    # Where the redirect points is checked at the redirect itself: chromium sends a
    # keyboard-started hop past the test's route for intake.test (a click goes through it).
    with page.expect_response(f"{live.url}/q/{new['code']}") as followed:
        page.keyboard.press("Enter")
    assert followed.value.status == 302
    assert followed.value.headers["location"] == new["destination"]["url"]


def test_help_online_leads_to_the_form(live: LiveServer, no_js) -> None:  # type: ignore[no-untyped-def]
    no_js.goto(f"{live.url}/q/not-a-code")
    no_js.get_by_role("link", name="Ask for help online").click()
    no_js.wait_for_url(INTAKE)
    assert no_js.locator("h1").inner_text() == "Ask for help"
