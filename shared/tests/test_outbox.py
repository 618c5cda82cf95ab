"""civic.outbox on real databases (SQLite and PostgreSQL) and, where it publishes, a real
Kafka-protocol broker: an event is written with the change it describes or not at all,
and leaves the table only once the broker has acknowledged it, under the id it was
given when it was written."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import Engine, select, update

from civic.contracts import KafkaRecord
from civic.contracts.cases import CaseErased
from civic.db import make_engine
from civic.kafka.producer import EventProducer
from civic.outbox import OutboxRelay, enqueue, enqueue_many, outbox, outbox_metadata

SOURCE = "/civic/test-outbox"
TOPIC = CaseErased.topic


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    outbox_metadata.create_all(engine)
    yield engine
    engine.dispose()


def _erased() -> CaseErased:
    return CaseErased(case_id=uuid.uuid4(), erased_at=datetime.now(UTC))


def _rows(engine: Engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(outbox).order_by(outbox.c.id)))


class _NoAcks:
    """A producer the broker never answers: every record comes back unacknowledged."""

    def __init__(self) -> None:
        self.sent: list[KafkaRecord] = []

    def send_all(self, records: list[KafkaRecord]) -> list[bool]:
        self.sent.extend(records)
        return [False] * len(records)

    def close(self, timeout: float = 0) -> None:
        pass


class _Acks:
    """A producer the broker always answers; ``hold()`` keeps it mid-publish until let go."""

    def __init__(self) -> None:
        self.sent: list[KafkaRecord] = []
        self.publishing = threading.Event()
        self.go = threading.Event()
        self.go.set()

    def hold(self) -> _Acks:
        self.go.clear()
        return self

    def send_all(self, records: list[KafkaRecord]) -> list[bool]:
        self.sent.extend(records)
        self.publishing.set()
        assert self.go.wait(10)
        return [True] * len(records)

    def close(self, timeout: float = 0) -> None:
        pass


def _relay(engine: Engine, factory, **options) -> OutboxRelay:  # type: ignore[no-untyped-def]
    return OutboxRelay(engine, factory, service="test_outbox", **options)


def _published_ids(bootstrap: str, keys: set[bytes], want: int) -> list[str]:
    """The ce_id of every record on the topic whose key is one of ``keys``."""
    reader = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                           enable_auto_commit=False)
    found: list[str] = []

    def poll(timeout_ms: int) -> None:
        for batch in reader.poll(timeout_ms=timeout_ms).values():
            found.extend(dict(r.headers)["ce_id"].decode() for r in batch if r.key in keys)

    try:
        partitions = [TopicPartition(TOPIC, p) for p in reader.partitions_for_topic(TOPIC)]
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(found) < want:
            poll(500)
        poll(500)  # anything past ``want`` would be a duplicate: let it show up
    finally:
        reader.close()
    return found


def test_an_event_enqueued_in_a_transaction_that_rolls_back_is_not_kept(engine):
    """Mutation seen failing: ``conn.commit()`` added after the insert in enqueue_many."""
    with engine.connect() as conn:
        enqueue(conn, _erased(), source=SOURCE)
        conn.rollback()
    with pytest.raises(RuntimeError), engine.begin() as conn:
        enqueue(conn, _erased(), source=SOURCE)
        raise RuntimeError("the change this event describes failed")
    assert _rows(engine) == []

    with engine.begin() as conn:
        kept = enqueue(conn, _erased(), source=SOURCE)
    assert [r.event_id for r in _rows(engine)] == [kept]


def test_enqueue_many_keeps_order_and_returns_the_ids_it_stored(engine):
    payloads = [_erased() for _ in range(5)]
    with engine.begin() as conn:
        ids = enqueue_many(conn, payloads, source=SOURCE)
        assert enqueue_many(conn, [], source=SOURCE) == []

    rows = _rows(engine)
    assert len(set(ids)) == 5
    assert [r.event_id for r in rows] == ids
    assert [r.key for r in rows] == [str(p.case_id).encode() for p in payloads]
    assert {(r.topic, r.event_type, r.attempts) for r in rows} == {
        (TOPIC, CaseErased.event_type, 0)}
    for row, event_id in zip(rows, ids, strict=True):
        headers = dict(row.headers)
        assert headers["ce_id"] == event_id and headers["ce_source"] == SOURCE
    assert all(r.created_at.tzinfo is not None for r in rows)


def test_a_producer_that_acknowledges_nothing_leaves_every_row_counted_and_raises(engine):
    """Mutation seen failing: ``attempts=outbox.c.attempts + 1`` changed to ``+ 0``."""
    with engine.begin() as conn:
        ids = enqueue_many(conn, [_erased() for _ in range(3)], source=SOURCE)
    made: list[_NoAcks] = []

    def factory() -> _NoAcks:
        made.append(_NoAcks())
        return made[-1]

    relay = _relay(engine, factory)
    for attempt in (1, 2):
        with pytest.raises(ConnectionError, match="acknowledged none of 3"):
            relay.relay_once()
        rows = _rows(engine)
        assert [r.event_id for r in rows] == ids
        assert {(r.attempts, r.last_error) for r in rows} == {
            (attempt, "broker did not acknowledge")}
    # each failed batch drops the producer, so the next try starts with a fresh one
    assert len(made) == 2
    assert relay.backlog() == 3


@pytest.mark.broker
def test_relay_publishes_to_the_broker_and_deletes_only_what_it_acknowledged(
        engine, kafka_bootstrap):
    """Mutation seen failing: ``done = [r.id for r in rows]`` (every row deleted)."""
    payloads = [_erased() for _ in range(3)]
    with engine.begin() as conn:
        ids = enqueue_many(conn, payloads, source=SOURCE)
        # A row the producer cannot publish: its topic name is one Kafka forbids. (A
        # missing topic would not do: the embedded broker creates topics on demand.)
        conn.execute(update(outbox).where(outbox.c.event_id == ids[2])
                     .values(topic="not a topic!"))

    relay = _relay(engine, lambda: EventProducer(kafka_bootstrap, client_id="test-outbox"))
    try:
        assert relay.relay_once() == 2
    finally:
        relay.stop()

    [left] = _rows(engine)
    assert (left.event_id, left.attempts, left.last_error) == (
        ids[2], 1, "broker did not acknowledge")
    keys = {str(p.case_id).encode() for p in payloads}
    assert sorted(_published_ids(kafka_bootstrap, keys, want=2)) == sorted(ids[:2])


@pytest.mark.broker
def test_a_retried_event_reaches_the_broker_once_under_the_id_it_was_written_with(
        engine, kafka_bootstrap):
    """Mutation seen failing: relay_once sending each row with a fresh ``ce_id`` header
    (a new uuid4) instead of the stored one."""
    payloads = [_erased() for _ in range(2)]
    with engine.begin() as conn:
        ids = enqueue_many(conn, payloads, source=SOURCE)
    producers = iter([_NoAcks(), EventProducer(kafka_bootstrap, client_id="test-outbox")])
    relay = _relay(engine, lambda: next(producers))
    try:
        with pytest.raises(ConnectionError):
            relay.relay_once()
        assert relay.relay_once() == 2
    finally:
        relay.stop()

    assert _rows(engine) == []
    keys = {str(p.case_id).encode() for p in payloads}
    assert sorted(_published_ids(kafka_bootstrap, keys, want=2)) == sorted(ids)


def test_while_one_relay_publishes_a_case_no_other_relay_publishes_its_later_events(engine):
    """Two relays on one outbox: the second never takes a case the first is publishing,
    so a case's later event cannot overtake its earlier one. On PostgreSQL the second
    relay gets on with other cases; on SQLite it waits its turn.

    Mutations seen failing: ``_take`` back to the plain ``select(outbox)...
    with_for_update(skip_locked=True)`` (the second relay published the case's second and
    third events while the first still held its first), and ``RelayTurn`` always giving
    the turn (on SQLite both relays read every row)."""
    x, y, z = (uuid.uuid4() for _ in range(3))
    written = [CaseErased(case_id=c, erased_at=datetime.now(UTC)) for c in (x, y, x, z, x)]
    with engine.begin() as conn:
        ids = enqueue_many(conn, written, source=SOURCE)
    first, second = _Acks().hold(), _Acks()
    relay_a = _relay(engine, lambda: first, batch_size=2)
    relay_b = _relay(engine, lambda: second, batch_size=10)
    publishing = threading.Thread(target=relay_a.relay_once)
    publishing.start()
    try:
        assert first.publishing.wait(10)
        taken = relay_b.relay_once()
        assert str(x).encode() not in [r.key for r in second.sent]
        if engine.dialect.name == "postgresql":  # the cases the first relay does not hold
            assert (taken, [r.key for r in second.sent]) == (1, [str(z).encode()])
        else:
            assert (taken, second.sent) == (0, [])
    finally:
        first.go.set()
        publishing.join(10)
    relay_b.drain(timeout_s=10)

    assert relay_a.backlog() == 0
    published = [dict(r.headers)["ce_id"].decode() for r in first.sent + second.sent
                 if r.key == str(x).encode()]
    assert published == [ids[0], ids[2], ids[4]]
    assert sorted(dict(r.headers)["ce_id"].decode() for r in first.sent + second.sent) \
        == sorted(ids), "each event published once"
