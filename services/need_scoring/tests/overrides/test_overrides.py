"""Reading and overriding a case's score through the running service: staff only, with a
reason, recorded in the database (SQLite and PostgreSQL), published as a new scored
event with the decision's id, role and time (the reason stays in the database, and never
reaches the bus), applied to open need, kept across a new policy version, and every read
logged. An erased case's score is not served."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaConsumer, TopicPartition

from civic.contracts.cases import CaseErased
from civic.contracts.envelope import encode
from civic.contracts.scoring import CaseScored
from civic.http.auth import Role
from civic.kafka.producer import EventProducer
from civic_testing import LiveServer
from civic_testing.markers import marker
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
    decision = overridden["decision"]  # staff's own record, from the database
    assert (decision["overridden_by"], decision["reason"]) == ("staff.t", body["reason"])
    assert overridden["override"] == {"band": "urgent", "override_id": decision["id"],
                                      "actor_role": "staff",
                                      "overridden_at": overridden["override"]["overridden_at"]}

    events = read_events(kafka_bootstrap, "cases.scored", lambda evs: any(
        isinstance(e.payload, CaseScored) and str(e.payload.case_id) == case_id
        and e.payload.override is not None for e in evs))
    published = [e.payload for e in events if isinstance(e.payload, CaseScored)
                 and str(e.payload.case_id) == case_id]
    assert [p.band for p in published] == ["low", "urgent"]
    assert published[-1].override and published[-1].override.override_id == decision["id"]

    history = httpx.get(f"{server.url}/v1/cases/{case_id}/band-overrides",
                        headers=as_["ops"]).json()
    assert [(h["band"], h["computed_band"]) for h in history] == [("urgent", "low")]
    explained = wait_for_score(server, case_id, as_["staff"]).json()
    assert explained["band"] == "urgent"
    assert explained["decision"]["reason"] == body["reason"], "staff still read why"
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
    replayed = wait_for_score(rescored, case_id, as_["staff"]).json()
    assert replayed["band"] == "urgent"
    assert replayed["override"]["override_id"] == decision["id"]
    assert replayed["decision"]["reason"] == body["reason"]


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


def bus_records(bootstrap: str, topics: list[str], until: Callable[[list[Any]], bool],
                timeout_s: float = 30) -> list[Any]:
    """Every record of these topics from their start, read until ``until`` holds of
    them and a few polls in a row bring nothing new (the embedded broker's end offsets
    are not to be trusted)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             fetch_max_wait_ms=100)
    records: list[Any] = []
    try:
        partitions = [TopicPartition(t, p) for t in topics
                      for p in sorted(consumer.partitions_for_topic(t) or ())]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        deadline, quiet = time.monotonic() + timeout_s, 0
        while time.monotonic() < deadline and (quiet < 3 or not until(records)):
            batch = consumer.poll(timeout_ms=500)
            quiet = 0 if batch else quiet + 1
            for polled in batch.values():
                records.extend(polled)
    finally:
        consumer.close()
    return records


def override_of(value: bytes | None) -> Any:
    """The override id in a scored event's payload or a case table's value."""
    try:
        found = json.loads(value or b"")
    except ValueError:
        return None
    override = found.get("override") if isinstance(found, dict) else None
    return override.get("override_id") if isinstance(override, dict) else None


def test_an_override_s_reason_stays_in_the_database_and_never_reaches_the_bus(
        kafka_bootstrap: str, policy_file: Callable[..., Path],
        scoring_service: Callable[..., LiveServer]) -> None:
    """The reason is staff's free text about a resident: it stays in need scoring's
    database, where reading it is audited. Neither cases.scored nor the stream's table
    changelogs carry it. Seen to fail with the reason put back on the event (an
    ``AppliedOverride.reason`` the service fills) and with it kept in the case table's
    record (so in the cases changelog)."""
    server = scoring_service(policy_file())
    as_ = keys(server)
    case = make_case()
    case_id = str(case.case_id)
    publish(kafka_bootstrap, case)
    assert wait_for_score(server, case_id, as_["staff"]).status_code == 200
    reason = f"{marker('OVERRIDE-REASON')}: the carer is in hospital"
    response = httpx.post(f"{server.url}/v1/cases/{case_id}/band-override",
                          json={"band": "urgent", "reason": reason}, headers=as_["staff"])
    assert response.status_code == 201, response.text
    override_id = response.json()["decision"]["id"]

    # Staff still read the reason, from the database, and the read is audited.
    explained = httpx.get(f"{server.url}/v1/cases/{case_id}/score", headers=as_["ops"])
    assert explained.json()["decision"]["reason"] == reason
    assert explained.json()["override"]["override_id"] == override_id
    with server.app.state.container.database.sessions() as session:
        reads = [row.fields for row in audit.for_case(session, case_id)
                 if (row.action, row.actor_id) == ("read_score", "ops.t")]
    assert reads and "override_reason" in reads[-1]

    stream = server.app.state.container.stream
    changelogs = [t for t in KafkaConsumer(bootstrap_servers=kafka_bootstrap).topics()
                  if t.startswith(f"{stream.group_id}-") and t.endswith("-changelog")]
    assert len(changelogs) >= 2, changelogs  # the cases and the open-case buckets tables

    def overridden(records: list[Any]) -> set[str]:
        """Which topics hold the override (by its id) for this case by now."""
        return {r.topic for r in records if r.key and case_id.encode() in r.key
                and override_of(r.value) == override_id}

    records = bus_records(kafka_bootstrap, ["cases.scored", *changelogs],
                          until=lambda rs: {"cases.scored", f"{stream.group_id}-cases-"
                                            "changelog"} <= overridden(rs))
    assert {"cases.scored", f"{stream.group_id}-cases-changelog"} <= overridden(records)
    for record in records:
        headers = b"".join(value or b"" for _key, value in record.headers or [])
        for part in (record.key or b"", record.value or b"", headers):
            assert b"OVERRIDE-REASON" not in part, (record.topic, record.offset)
            assert b"hospital" not in part, (record.topic, record.offset)
