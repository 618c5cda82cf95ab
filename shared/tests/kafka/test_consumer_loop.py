"""The consumer loop against a real Kafka-protocol broker: commit after processing,
dedupe by event id, bounded retries, poison messages to the DLQ with the reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer

from civic.contracts import Envelope, KafkaRecord, encode
from civic.contracts.cases import CaseErased
from civic.kafka.consumer import EventConsumer, dev_consumer_settings
from civic.kafka.metrics import KafkaMetrics
from civic.kafka.producer import EventProducer
from civic.testing import unique_group

pytestmark = pytest.mark.broker
TOPIC = "cases.lifecycle"


def _erased() -> CaseErased:
    return CaseErased(case_id=uuid.uuid4(), erased_at=datetime.now(UTC))


def _drain(consumer: EventConsumer, want: int, max_polls: int = 60) -> None:
    got = 0
    for _ in range(max_polls):
        got += consumer.poll_once(timeout_ms=500)
        if got >= want:
            return
    raise AssertionError(f"handled {got} of {want} records")


def _dlq_records(bootstrap: str, since: dict[int, int] | None = None) -> list:
    reader = KafkaConsumer(TOPIC + ".dlq", bootstrap_servers=bootstrap,
                           auto_offset_reset="earliest", consumer_timeout_ms=3000,
                           enable_auto_commit=False)
    try:
        return list(reader)
    finally:
        reader.close()


@pytest.fixture
def producer(kafka_bootstrap: str):
    p = EventProducer(kafka_bootstrap, client_id="test", metrics=KafkaMetrics.for_service("test"))
    yield p
    p.close()


def test_good_events_are_handled_once_and_poison_goes_to_the_dlq(kafka_bootstrap, producer):
    handled: list[Envelope] = []
    good = [_erased() for _ in range(5)]
    first = encode(good[0], source="/civic/test")
    poison_garbage = KafkaRecord(TOPIC, b"k", b"{not json", first.headers)
    poison_unknown = KafkaRecord(TOPIC, b"k", first.value, [
        (k, b"civic.case.vanished.v9" if k == "ce_type" else v) for k, v in first.headers])
    poison_no_headers = KafkaRecord(TOPIC, b"k", b"{}", [])
    records = [first, poison_garbage, encode(good[1], source="/civic/test"), poison_unknown,
               first,  # redelivered duplicate with the same event id
               encode(good[2], source="/civic/test"), poison_no_headers,
               *(encode(g, source="/civic/test") for g in good[3:])]
    assert all(producer.send_all(records))

    consumer = EventConsumer(kafka_bootstrap, group_id=unique_group(), topics=[TOPIC],
                             handler=handled.append, dlq_producer=producer,
                             metrics=KafkaMetrics.for_service("test"), **dev_consumer_settings())
    try:
        _drain(consumer, want=len(records))
    finally:
        consumer.close()

    ids = {e.payload.case_id for e in handled if isinstance(e.payload, CaseErased)}
    assert {g.case_id for g in good} <= ids
    assert len([e for e in handled if e.id == first.headers[0][1].decode()]) == 1

    reasons = {}
    for rec in _dlq_records(kafka_bootstrap):
        h = dict(rec.headers)
        reasons[rec.offset] = h["civic_dlq_reason"].decode()
        assert h["civic_dlq_source_topic"] == TOPIC.encode()
    text = " | ".join(reasons.values())
    assert "value is not a JSON object" in text
    assert "unknown event type 'civic.case.vanished.v9'" in text
    assert "missing header" in text


def test_a_failing_handler_is_retried_then_dead_lettered_and_the_stream_moves_on(
        kafka_bootstrap, producer):
    bad, after = _erased(), _erased()
    attempts: dict[uuid.UUID, int] = {}
    handled: list[uuid.UUID] = []

    def handler(envelope: Envelope) -> None:
        case_id = envelope.payload.case_id  # type: ignore[attr-defined]
        attempts[case_id] = attempts.get(case_id, 0) + 1
        if case_id == bad.case_id:
            raise ValueError("downstream said no")
        handled.append(case_id)

    assert all(producer.send_all([encode(bad, source="/t"), encode(after, source="/t")]))
    consumer = EventConsumer(kafka_bootstrap, group_id=unique_group(), topics=[TOPIC],
                             handler=handler, dlq_producer=producer, max_attempts=3,
                             retry_backoff_s=0.01, **dev_consumer_settings())
    try:
        for _ in range(60):
            consumer.poll_once(timeout_ms=500)
            if after.case_id in handled:
                break
    finally:
        consumer.close()
    assert attempts[bad.case_id] == 3
    assert after.case_id in handled
    dead = [dict(r.headers) for r in _dlq_records(kafka_bootstrap)
            if r.key == str(bad.case_id).encode()]
    assert dead and dead[-1]["civic_dlq_attempts"] == b"3"
    assert dead[-1]["civic_dlq_reason"] == b"downstream said no"
    assert dead[-1]["civic_dlq_error_type"] == b"ValueError"


def test_offsets_are_committed_so_a_restarted_consumer_resumes(kafka_bootstrap, producer):
    group = unique_group()
    first_batch, second_batch = [_erased() for _ in range(3)], [_erased() for _ in range(2)]
    seen: list[uuid.UUID] = []

    def handler(e: Envelope) -> None:
        seen.append(e.payload.case_id)  # type: ignore[attr-defined]

    def run_until(wanted: set[uuid.UUID]) -> None:
        consumer = EventConsumer(kafka_bootstrap, group_id=group, topics=[TOPIC],
                                 handler=handler, dlq_producer=producer,
                                 **dev_consumer_settings())
        try:
            for _ in range(60):
                consumer.poll_once(timeout_ms=500)
                if wanted <= set(seen):
                    return
            raise AssertionError("events not handled")
        finally:
            consumer.close()

    assert all(producer.send_all([encode(e, source="/t") for e in first_batch]))
    run_until({e.case_id for e in first_batch})
    seen_before = len(seen)
    assert all(producer.send_all([encode(e, source="/t") for e in second_batch]))
    run_until({e.case_id for e in second_batch})
    replayed = [c for c in seen[seen_before:] if c in {e.case_id for e in first_batch}]
    assert replayed == [], "committed events were delivered again after restart"
