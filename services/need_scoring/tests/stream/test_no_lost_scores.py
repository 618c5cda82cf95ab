"""No score is lost when the faust agent's batch fails part-way, on a real broker: a
``send()`` that raises, an erasure callback that fails and an error while a batch is
handled are all survived. Scores may be published twice (at least once, with consumers
deduplicating by event id), never not at all."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition

from civic.contracts.cases import CaseErased, CaseSubmitted
from civic.contracts.envelope import KafkaRecord, encode
from civic.contracts.scoring import CaseScored
from civic.kafka.producer import EventProducer
from civic.reference import geography
from civic_testing import LiveServer, start_group_at_end
from need_scoring.calculation.engine import score_case
from need_scoring.calculation.inputs import ScoringInput
from need_scoring.policy import load_policy
from need_scoring.stream import batches

from ..conftest import make_case, scores_by_event_id

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def publish(bootstrap: str, payloads: list[Any]) -> None:
    producer = EventProducer(bootstrap, client_id="test-no-loss")
    assert all(producer.send_all([encode(p, source="urn:test") for p in payloads]))
    producer.close()




def assert_each_has_exactly_its_score(policy: Path, cases: list[CaseSubmitted],
                                      found: dict[str, dict[str, CaseScored]]) -> None:
    rules = load_policy(policy)
    missing = {str(c.case_id) for c in cases} - set(found)
    assert not missing, f"{len(missing)} of {len(cases)} cases were never scored"
    for case in cases:
        expected = score_case(rules, ScoringInput.from_case(case, geography()))
        for scored in found[str(case.case_id)].values():  # deduplicated by event id
            assert (scored.score, scored.band) == (expected.score, expected.band)


def test_a_send_that_raises_a_failing_erasure_callback_and_a_failing_batch_lose_no_score(
        kafka_bootstrap: str, policy_file: Callable[..., Path],
        scoring_service: Callable[..., LiveServer], monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen to fail when a send() that raised escaped the batch (as it did before), and
    again when an error while handling the batch escaped it (no retry of the batch):
    faust's take_events acknowledged the batch as its generator closed, the agent was
    restarted after it, and the scores not yet sent were never published."""
    policy = policy_file()
    server = scoring_service(policy)
    stream = server.app.state.container.stream
    send, forget = stream.send, stream.on_erased
    injected: Counter[str] = Counter()

    async def failing_send(record: KafkaRecord) -> Any:
        if record.topic == "cases.scored" and not injected["send"]:
            injected["send"] += 1
            raise RuntimeError("injected: the producer refused the record")
        return await send(record)

    def failing_forget(case_ids: list[str]) -> None:
        injected["forget"] += 1
        if injected["forget"] == 1:
            raise ConnectionError("injected: the database is away")
        forget(case_ids)

    def failing_encode(payload: Any, **kw: Any) -> KafkaRecord:
        # after the case was scored and its table row written, before it is sent
        if isinstance(payload, CaseScored) and not injected["encode"]:
            injected["encode"] += 1
            raise ValueError("injected: the score could not be encoded")
        return encode(payload, **kw)

    stream.send, stream.on_erased = failing_send, failing_forget
    monkeypatch.setattr(batches, "encode", failing_encode)
    erased = make_case()
    cases = [make_case(urgency=u) for u in ("today", "this_week", "can_wait") * 10]
    publish(kafka_bootstrap, [erased, CaseErased(case_id=erased.case_id,
                                                 erased_at=datetime.now(UTC)), *cases])

    found = scores_by_event_id(kafka_bootstrap, cases)
    assert_each_has_exactly_its_score(policy, cases, found)
    assert (injected["send"], injected["encode"]) == (1, 1), "the failures were injected"
    deadline = time.monotonic() + 15
    while injected["forget"] < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert injected["forget"] >= 2, "the failed erasure callback was tried again"



def test_a_worker_stopped_while_the_broker_refuses_its_scores_commits_none_of_them(
        kafka_bootstrap: str, policy_file: Callable[..., Path],
        scoring_service: Callable[..., LiveServer]) -> None:
    """Seen to fail with take_events, which acknowledged the batch as the stop cancelled
    it, so its offsets were committed and the next worker would never score those
    cases. Now nothing whose score was not on the broker is committed: the partitions'
    next owner reads it again.

    The group starts where its inputs end, so it reads only these six cases, each of
    which needs a score sent: from the run's backlog it could rightly commit past an
    event that needs none (a submission of a case erased since), as it once did."""
    policy = policy_file()
    inputs = ["cases.submitted", "cases.lifecycle", "need-scoring.band-overrides"]
    start = start_group_at_end(kafka_bootstrap, f"need-scoring.{load_policy(policy).version}",
                               inputs)
    worker = scoring_service(policy)
    stream = worker.app.state.container.stream
    attempts: Counter[str] = Counter()

    async def refusing_send(record: KafkaRecord) -> Any:
        attempts[record.topic] += 1
        raise RuntimeError("injected: the broker refuses every score")

    stream.send = refusing_send
    publish(kafka_bootstrap, [make_case(urgency="today") for _ in range(6)])
    deadline = time.monotonic() + 60
    while attempts["cases.scored"] < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert attempts["cases.scored"] >= 2, "the worker was trying to send"
    worker.__exit__(None, None, None)  # stopped mid-retry, as a redeploy would

    reader = KafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=stream.group_id,
                           enable_auto_commit=False)  # reads the group's offsets, never joins
    try:
        partitions = [TopicPartition("cases.submitted", p)
                      for p in reader.partitions_for_topic("cases.submitted") or ()]
        assert partitions, "cases.submitted has partitions"
        moved = {tp.partition: offset for tp in partitions
                 if (offset := reader.committed(tp)) != start[(tp.topic, tp.partition)]}
    finally:
        reader.close()
    assert not moved, f"offsets committed for scores never sent: {moved}"
