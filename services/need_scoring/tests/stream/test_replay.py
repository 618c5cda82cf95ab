"""A new policy version rescores past cases by replaying cases.submitted: every case
gets a score under the new version, with the new weights, the old scores stay
distinguishable by their version, and an erased case is not brought back: no score
under the new version is published for it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from kafka.partitioner.default import murmur2

from civic.contracts.cases import CaseErased, CaseSubmitted
from civic.contracts.envelope import decode, encode
from civic.contracts.scoring import CaseScored
from civic.kafka.producer import EventProducer
from civic_testing import LiveServer

from ..conftest import make_case

pytestmark = [pytest.mark.broker, pytest.mark.slow]

Scored = tuple[int, int, CaseScored]  # partition and offset on cases.scored, and the score


def reweigh(text: str) -> str:
    """Urgency 30 -> 20, kind of need 20 -> 30: same factors, different weights."""
    return (text.replace("    weight: 30\n", "    weight: 20\n", 1)
                .replace("    field: categories\n    kind: any_of\n    weight: 20\n",
                         "    field: categories\n    kind: any_of\n    weight: 30\n", 1))


def scored_events(bootstrap: str, version: str, until: set[str],
                  timeout_s: float = 30) -> list[Scored]:
    """Every score under `version` on cases.scored, whichever case it is for, read from
    the start until each case in `until` has one."""
    consumer = KafkaConsumer("cases.scored", bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             consumer_timeout_ms=500)
    found: list[Scored] = []
    deadline = time.monotonic() + timeout_s
    try:
        while (time.monotonic() < deadline
               and not until <= {str(score.case_id) for _p, _o, score in found}):
            for record in consumer:
                payload = decode(record.headers, record.value, record.key).payload
                assert isinstance(payload, CaseScored)
                if payload.policy_version == version:
                    found.append((record.partition, record.offset, payload))
    finally:
        consumer.close()
    return found


def by_case(events: list[Scored]) -> dict[str, list[CaseScored]]:
    found: dict[str, list[CaseScored]] = {}
    for _partition, _offset, score in events:
        found.setdefault(str(score.case_id), []).append(score)
    return found


def filed_after_on_its_partition(bootstrap: str, case: CaseSubmitted) -> CaseSubmitted:
    """Another case whose key lands on the same partition as `case` (the producers'
    murmur2 partitioner), so that, filed after it, a replay reads it after `case`."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = len(consumer.partitions_for_topic("cases.submitted") or ())
    finally:
        consumer.close()
    assert partitions

    def partition(c: CaseSubmitted) -> int:
        return int(murmur2(encode(c, source="urn:test").key) & 0x7FFFFFFF) % partitions

    while True:
        other = make_case(urgency="this_week", categories=["medicine"])
        if partition(other) == partition(case):
            return other


def test_a_new_policy_version_rescores_past_cases_by_replay(
        kafka_bootstrap: str, policy_file: Callable[..., Path],
        scoring_service: Callable[..., LiveServer]) -> None:
    """Seen to fail when CaseProcessor._submitted no longer refused an erased case (the
    replay then published a score for it under the new version)."""
    old_policy = policy_file()
    new_policy = policy_file(edit=reweigh)
    cases = [make_case(urgency="this_week", categories=["medicine"]) for _ in range(5)]
    erased = cases[-1]
    erased_id = str(erased.case_id)
    # Filed after the erased case on its partition: once the replay has scored this one,
    # it has read the erased case's submission too, so its absence is no matter of time.
    later = filed_after_on_its_partition(kafka_bootstrap, erased)
    cases.append(later)
    ids = {str(c.case_id) for c in cases}
    producer = EventProducer(kafka_bootstrap, client_id="test")
    sent = [producer.send(encode(c, source="urn:test")) for c in cases]
    producer.flush(timeout=20)
    placed = [future.get(timeout=10) for future in sent]
    producer.close()
    assert placed[-1].partition == placed[-2].partition
    assert placed[-1].offset > placed[-2].offset

    scoring_service(old_policy)
    before_events = scored_events(kafka_bootstrap, old_policy.stem, ids)
    before = by_case(before_events)
    # ⊇, not ==: a new consumer group replays every case on the shared broker, other
    # tests' cases too.
    assert set(before) >= ids, "before its erasure the case was scored like the rest"
    producer = EventProducer(kafka_bootstrap, client_id="test")
    assert producer.send_all([encode(CaseErased(case_id=erased.case_id,
                                                erased_at=datetime.now(UTC)),
                                     source="urn:test")]) == [True]
    producer.close()
    ids.remove(erased_id)
    # Deploying the new version: a new consumer group, which starts from the oldest case.
    scoring_service(new_policy)
    after_events = scored_events(kafka_bootstrap, new_policy.stem, ids)
    after = by_case(after_events)

    # Everything the new version published, unfiltered: the erased case is not in it.
    assert erased_id not in after, "an erased case is never rescored"
    assert set(after) >= ids
    # Scores are keyed by case like submissions, so a score for the erased case would
    # have come before the later case's on the same partition of cases.scored.
    old_partition = {str(score.case_id): p for p, _o, score in before_events}
    assert old_partition[erased_id] == old_partition[str(later.case_id)]
    assert str(later.case_id) in after
    assert set(before) >= ids
    for case_id in ids:
        assert len(after[case_id]) == 1, "each case is rescored once"
        old, new = before[case_id][0], after[case_id][0]
        old_points = {c.factor: c.points for c in old.contributions}
        new_points = {c.factor: c.points for c in new.contributions}
        assert (old_points["urgency"], new_points["urgency"]) == (15, 10)
        assert (old_points["kind_of_need"], new_points["kind_of_need"]) == (20, 30)
        assert new.score == old.score + 5
        assert sum(new_points.values()) == new.score
