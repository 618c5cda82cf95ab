"""A partner holds at most ``CASE_INTAKE_PARTNER_CLAIM_CAP`` open cases (claimed or in
progress). A claim over it is a 429 with Retry-After, and concurrent claims by the same
partner cannot slip past it together. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from case_intake.app import create_app
from case_intake.settings import Settings
from civic.http.auth import Coverage, Role
from civic_testing import LiveServer

CAP = 2


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, kafka_bootstrap_servers="127.0.0.1:9",
                    apply_topics=False, run_relay=False, run_consumers=False, tune_gc=False,
                    partner_claim_cap=CAP)


def _claim(client, case_id, as_, who="partner"):  # type: ignore[no-untyped-def]
    return client.post(f"/v1/cases/{case_id}/claim", headers=as_(who))


def test_a_claim_over_the_cap_is_429_with_retry_after_until_one_is_given_back(
        client, as_, triaged_case, move, status_of):
    """Claimed and in-progress cases count; resolved and released ones do not; another
    partner has its own cap. Mutation seen failing: ``_check_cap`` not called."""
    first, second, third = triaged_case(), triaged_case(), triaged_case()
    assert _claim(client, first, as_).status_code == 200
    assert _claim(client, second, as_).status_code == 200
    move(second, "in_progress")  # still held: still counts

    over = _claim(client, third, as_)
    assert over.status_code == 429, over.text
    assert over.headers["content-type"] == "application/problem+json"
    assert over.headers["retry-after"] == "60"
    body = over.json()
    assert body["type"] == "https://civic-platform.example/problems/claim-cap-reached"
    assert f"already holds {CAP} open cases" in body["detail"]
    assert status_of(third) == ("triaged", None)
    assert _claim(client, first, as_).status_code == 200  # the holder repeating is fine

    assert _claim(client, third, as_, "other_partner").status_code == 200  # its own cap
    move(second, "resolved")  # finished: no longer held
    fourth = triaged_case()
    assert _claim(client, fourth, as_).status_code == 200
    assert client.post(f"/v1/cases/{first}/release", json={"reason": "no capacity"},
                       headers=as_("partner")).status_code == 200
    assert _claim(client, triaged_case(), as_).status_code == 200


@pytest.fixture
def live(settings: Settings) -> Iterator[tuple[str, dict[str, str], dict[str, str]]]:
    """A real server: (its URL, staff headers, partner headers)."""
    app = create_app(settings)
    store = app.state.api_keys
    staff = store.create("staff.race", Role.STAFF)
    partner = store.create("partner.racing", Role.PARTNER, coverage=Coverage.everything())
    with LiveServer(app) as server:
        yield (server.url, {"Authorization": f"Bearer {staff}"},
               {"Authorization": f"Bearer {partner}"})


def test_concurrent_claims_by_one_partner_never_exceed_the_cap(live, case_body):
    """Twelve claims by one partner at the same moment, on twelve cases, over real HTTP:
    exactly the cap succeed and the rest are 429. On PostgreSQL each claim locks only
    its own case, so without the per-partner lock every claim counts the same committed
    total and passes. Mutation seen failing (PostgreSQL): ``lock_partner`` doing
    nothing."""
    url, staff, partner = live
    with httpx.Client(base_url=url, timeout=30) as http:
        case_ids = []
        for _ in range(12):
            created = http.post("/v1/cases", json=case_body(), headers=staff)
            assert created.status_code == 201, created.text
            case_id = created.json()["id"]
            triaged = http.post(f"/v1/cases/{case_id}/status",
                                json={"to": "triaged", "reason": "checked"}, headers=staff)
            assert triaged.status_code == 200, triaged.text
            case_ids.append(case_id)

    start = threading.Barrier(len(case_ids))
    statuses: list[int] = []

    def claim(case_id: str) -> None:
        with httpx.Client(base_url=url, timeout=30) as own:
            start.wait()
            statuses.append(own.post(f"/v1/cases/{case_id}/claim", headers=partner)
                            .status_code)

    threads = [threading.Thread(target=claim, args=(c,)) for c in case_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert Counter(statuses) == {200: CAP, 429: len(case_ids) - CAP}, statuses
    with httpx.Client(base_url=url, timeout=30) as http:
        listed = http.get("/v1/cases", params={"status": "claimed", "limit": 200},
                          headers=staff).json()["items"]
    assert [c["claimed_by"] for c in listed] == ["partner.racing"] * CAP


def test_the_cap_is_a_setting(settings: Settings) -> None:
    assert Settings.model_fields["partner_claim_cap"].default == 25
    with TestClient(create_app(settings)) as client:
        assert client.app.state.container.claims.claim_cap == CAP  # type: ignore[attr-defined]
