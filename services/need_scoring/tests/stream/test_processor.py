"""The processor's state changes, without faust: plain dicts stand in for its tables."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from civic.contracts.base import EventPayload
from civic.contracts.cases import CaseErased, CaseStatusChanged
from civic.contracts.envelope import Envelope, encode
from civic.kafka.producer import EventProducer
from civic.reference import geography
from need_scoring.areas.counts import Counts
from need_scoring.policy import load_policy
from need_scoring.stream.erasures import erased_case_ids
from need_scoring.stream.processor import CaseProcessor

from ..conftest import POLICY_FILE, make_case

NOW = datetime.now(UTC)


def envelope(payload: EventPayload, event_id: str | None = None) -> Envelope:
    return Envelope(id=event_id or str(uuid.uuid4()), source="urn:test", type=payload.event_type,
                    time=NOW, subject=None, payload=payload)


@pytest.fixture
def state() -> tuple[CaseProcessor, dict[str, dict[str, Any]], dict[str, Counts]]:
    return CaseProcessor(load_policy(POLICY_FILE), geography()), {}, {}


def open_total(buckets: dict[str, Counts]) -> int:
    return sum(c.get("total", 0) for c in buckets.values())


def test_a_redelivered_submission_is_counted_once_and_its_score_sent_again(state) -> None:  # type: ignore[no-untyped-def]
    processor, cases, buckets = state
    event = envelope(make_case())
    first = processor.handle(event, cases, buckets)
    again = processor.handle(event, cases, buckets)
    assert first is not None and again == first, "the same score, so consumers can dedupe"
    assert open_total(buckets) == 1


def test_a_status_change_that_arrives_first_is_kept(state) -> None:  # type: ignore[no-untyped-def]
    processor, cases, buckets = state
    case = make_case()
    processor.handle(envelope(CaseStatusChanged(
        case_id=case.case_id, from_status="submitted", to_status="withdrawn",
        changed_at=NOW, actor_role="resident")), cases, buckets)
    assert processor.handle(envelope(case), cases, buckets) is not None
    assert open_total(buckets) == 0, "a withdrawn case is not open need"


def test_erasure_removes_the_case_and_it_is_never_scored_again(state) -> None:  # type: ignore[no-untyped-def]
    processor, cases, buckets = state
    case = make_case()
    processor.handle(envelope(case), cases, buckets)
    processor.handle(envelope(CaseErased(case_id=case.case_id, erased_at=NOW)), cases, buckets)
    assert open_total(buckets) == 0
    assert cases[str(case.case_id)]["facts"] is None
    assert processor.handle(envelope(case, "another-delivery"), cases, buckets) is None


def test_erasures_known_before_a_replay_win_over_their_submission(state) -> None:  # type: ignore[no-untyped-def]
    processor, cases, buckets = state
    case = make_case()
    processor.erased = {str(case.case_id)}
    assert processor.handle(envelope(case), cases, buckets) is None
    assert open_total(buckets) == 0


@pytest.mark.broker
def test_erasures_are_read_from_the_lifecycle_topic(kafka_bootstrap: str) -> None:
    erased = [uuid.uuid4() for _ in range(3)]
    producer = EventProducer(kafka_bootstrap, client_id="test")
    changed = CaseStatusChanged(case_id=uuid.uuid4(), from_status="submitted",
                                to_status="triaged", changed_at=NOW, actor_role="staff")
    records = [encode(CaseErased(case_id=c, erased_at=NOW), source="urn:test") for c in erased]
    assert all(producer.send_all([*records, encode(changed, source="urn:test")]))
    producer.close()
    found = erased_case_ids(kafka_bootstrap)
    assert {str(c) for c in erased} <= found
    assert str(changed.case_id) not in found


def test_a_repeated_status_change_writes_nothing(state) -> None:  # type: ignore[no-untyped-def]
    processor, cases, buckets = state
    case = make_case()
    processor.handle(envelope(case), cases, buckets)
    withdrawn = CaseStatusChanged(case_id=case.case_id, from_status="submitted",
                                  to_status="withdrawn", changed_at=NOW, actor_role="staff")
    processor.handle(envelope(withdrawn), cases, buckets)
    writes: list[str] = []

    class Recording(dict):  # type: ignore[type-arg]
        def __setitem__(self, key: str, value: Any) -> None:
            writes.append(key)
            super().__setitem__(key, value)

    recording = Recording(cases)
    processor.handle(envelope(withdrawn), recording, buckets)
    assert writes == []
    assert open_total(buckets) == 0
