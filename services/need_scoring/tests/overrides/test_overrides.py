"""Reading and overriding a case's score through the running service: staff only, with a
reason, recorded in the database (SQLite and PostgreSQL), published as a new scored
event with who, when and why, applied to open need, kept across a new policy version,
and every read logged. An erased case's score is not served."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from civic.contracts.cases import CaseErased
from civic.contracts.envelope import encode
from civic.contracts.scoring import CaseScored
from civic.http.auth import Role
from civic.kafka.producer import EventProducer
from civic_testing import LiveServer
from need_scoring.audit import repository as audit
from need_scoring.overrides import repository as overrides_repository

from ..conftest import make_case, read_events

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def publish(bootstrap: str, *payloads) -> None:  # type: ignore[no-untyped-def]
    producer = EventProducer(bootstrap, client_id="test")
    assert all(producer.send_all([encode(p, source="urn:test") for p in payloads]))
    producer.close()


def wait_for_score(server: LiveServer, case_id: str, headers: dict[str, str],
                   timeout_s: float = 30) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while True:
        response = httpx.get(f"{server.url}/v1/cases/{case_id}/score", headers=headers)
        if response.status_code != 404 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def keys(server: LiveServer) -> dict[str, dict[str, str]]:
    store = server.app.state.api_keys
    return {role.value: {"Authorization": f"Bearer {store.create(f'{role.value}.t', role)}"}
            for role in (Role.STAFF, Role.PARTNER, Role.OPS)}


def test_staff_override_a_band_with_a_reason_and_it_is_published_and_kept(
        kafka_bootstrap: str, database_url: str, policy_file: Callable[..., Path],
        scoring_service: Callable[..., LiveServer]) -> None:
    server = scoring_service(policy_file(), database_url=database_url)
    as_ = keys(server)
    case = make_case(urgency="can_wait", categories=["digital_access"])  # 19: low
    publish(kafka_bootstrap, case)
    case_id = str(case.case_id)
    scored = wait_for_score(server, case_id, as_["staff"])
    assert scored.status_code == 200, scored.text
    assert scored.json()["band"] == "low"

    url = f"{server.url}/v1/cases/{case_id}/band-override"
    body = {"band": "urgent", "reason": "Carer in hospital since this morning; no food."}
    assert httpx.post(url, json=body, headers=as_["partner"]).status_code == 403
    assert httpx.post(url, json=body).status_code == 401
    too_short = httpx.post(url, json={"band": "urgent", "reason": "x"}, headers=as_["staff"])
    assert too_short.status_code == 422
    assert "reason" in too_short.text
    response = httpx.post(url, json=body, headers=as_["staff"])
    assert response.status_code == 201, response.text
    overridden = response.json()
    assert overridden["band"] == "urgent"
    assert overridden["score"] == scored.json()["score"], "the score itself never changes"
    assert overridden["override"]["overridden_by"] == "staff.t"
    assert overridden["override"]["reason"] == body["reason"]

    events = read_events(kafka_bootstrap, "cases.scored", lambda evs: any(
        isinstance(e.payload, CaseScored) and str(e.payload.case_id) == case_id
        and e.payload.override is not None for e in evs))
    published = [e.payload for e in events if isinstance(e.payload, CaseScored)
                 and str(e.payload.case_id) == case_id]
    assert [p.band for p in published] == ["low", "urgent"]
    assert published[-1].override and published[-1].override.overridden_by == "staff.t"

    history = httpx.get(f"{server.url}/v1/cases/{case_id}/band-overrides",
                        headers=as_["ops"]).json()
    assert [(h["band"], h["computed_band"]) for h in history] == [("urgent", "low")]
    assert wait_for_score(server, case_id, as_["staff"]).json()["band"] == "urgent"
    with server.app.state.container.database.sessions() as session:
        actions = [(row.action, row.actor_id) for row in audit.for_case(session, case_id)]
    assert ("override_band", "staff.t") in actions
    # listing the overrides reads staff's reasons: audited like any personal-data read
    assert ("read_override_reasons", "ops.t") in actions
    assert actions.count(("read_score", "staff.t")) >= 2

    metrics = httpx.get(f"{server.url}/metrics").text
    assert 'civic_need_scoring_band_overrides_total{band="urgent"}' in metrics
    assert "civic_need_scoring_band_override_ratio" in metrics

    # A new policy version rescores by replay, and the human decision stands.
    rescored = scoring_service(policy_file(), database_url=database_url)
    assert wait_for_score(rescored, case_id, as_["staff"]).json()["band"] == "urgent"


def test_an_erased_case_is_not_served_and_unknown_cases_are_not_found(
        kafka_bootstrap: str, policy_file: Callable[..., Path],
        scoring_service: Callable[..., LiveServer]) -> None:
    server = scoring_service(policy_file())
    as_ = keys(server)
    case = make_case()
    publish(kafka_bootstrap, case)
    assert wait_for_score(server, str(case.case_id), as_["staff"]).status_code == 200
    assert httpx.get(f"{server.url}/v1/cases/{case.case_id}/score",
                     headers=as_["partner"]).status_code == 403
    overridden = httpx.post(f"{server.url}/v1/cases/{case.case_id}/band-override",
                            json={"band": "high", "reason": "Known to the duty team already."},
                            headers=as_["staff"])
    assert overridden.status_code == 201
    publish(kafka_bootstrap, CaseErased(case_id=case.case_id, erased_at=datetime.now(UTC)))
    deadline = time.monotonic() + 30
    while (status := wait_for_score(server, str(case.case_id), as_["staff"]).status_code) \
            == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status == 410
    history = httpx.get(f"{server.url}/v1/cases/{case.case_id}/band-overrides",
                        headers=as_["staff"])
    assert history.status_code == 410
    deadline, rows = time.monotonic() + 10, [object()]
    while rows and time.monotonic() < deadline:  # deleted just after the erasure's batch
        with server.app.state.container.database.sessions() as session:
            rows = overrides_repository.for_case(session, str(case.case_id))
        time.sleep(0.1)
    assert rows == [], "an erased case's override reasons must go with it"
    again = httpx.post(f"{server.url}/v1/cases/{case.case_id}/band-override",
                       json={"band": "low", "reason": "Trying after the erasure."},
                       headers=as_["staff"])
    assert again.status_code == 410
    missing = httpx.get(f"{server.url}/v1/cases/{make_case().case_id}/score",
                        headers=as_["staff"])
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert httpx.get(f"{server.url}/v1/cases/not-a-uuid/score",
                     headers=as_["staff"]).status_code == 422
