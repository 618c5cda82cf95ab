"""Per-case order on the topic with more than one outbox relay, on the real broker.

Each case's events are written to the outbox in version order; relays publish them while
they are written. Read back, every case's events are on the topic exactly once and in
that order: with two relays on PostgreSQL, and with an in-process relay beside a
``python -m case_intake relay`` process on SQLite.

The relays in this process publish through the real producer after a random pause of
up to 20 ms, and take small batches, so that they overlap at every batch.

Mutations seen failing: ``OutboxRelay._take`` back to the plain
``select(outbox)...with_for_update(skip_locked=True)`` (on PostgreSQL a relay published
a case's later events while the other still held its earlier ones), and ``RelayTurn``
always giving the turn (on SQLite both relays read the same rows: a case's events came
twice and out of order, and some never came, deleted unpublished by a relay whose batch
ids SQLite had meanwhile given to new rows).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import Engine

from case_intake.database import schema
from civic.contracts.cases import CaseStatusChanged
from civic.contracts.common import ActorRole, CaseStatus
from civic.db import ServiceDatabase, make_engine
from civic.kafka.producer import EventProducer
from civic.outbox import OutboxRelay, enqueue_many, outbox_metadata

pytestmark = [pytest.mark.broker, pytest.mark.slow]

TOPIC = CaseStatusChanged.topic
CASES, EVENTS_PER_CASE = 10, 20  # more cases than a batch holds, and a few over
STATUSES = [CaseStatus.TRIAGED, CaseStatus.IN_PROGRESS]


class _Paused(EventProducer):
    """The platform's producer, pausing up to 20 ms before each batch."""

    def __init__(self, bootstrap: str, seed: int) -> None:
        super().__init__(bootstrap, client_id=f"test-relay-order-{seed}")
        self._random = random.Random(seed)
        self.published = 0

    def send_all(self, records: Any, timeout: float = 20.0) -> list[bool]:
        records = list(records)
        time.sleep(self._random.uniform(0, 0.02))
        acked = super().send_all(records, timeout)
        self.published += sum(acked)
        return acked


def _relay(engine: Engine, producer: _Paused) -> OutboxRelay:
    return OutboxRelay(engine, lambda: producer, service="test_relay_order", batch_size=7,
                       idle_wait_s=0.01, coalesce_s=0.0)


def _change(case_id: uuid.UUID, version: int) -> CaseStatusChanged:
    return CaseStatusChanged(case_id=case_id, from_status=STATUSES[version % 2],
                             to_status=STATUSES[(version + 1) % 2],
                             changed_at=datetime.now(UTC), actor_role=ActorRole.STAFF,
                             actor_id="staff.order", case_version=version)


def _write(engine: Engine, per_transaction: int, pause_s: float) -> dict[bytes, list[str]]:
    """Each case's events, versions 2 to EVENTS_PER_CASE + 1, round robin over the cases
    so that one case's events are a few rows apart; return each case's event ids in the
    order written."""
    cases = [uuid.uuid4() for _ in range(CASES)]
    events = [_change(c, version) for version in range(2, EVENTS_PER_CASE + 2) for c in cases]
    written: dict[bytes, list[str]] = {str(c).encode(): [] for c in cases}
    for start in range(0, len(events), per_transaction):
        chunk = events[start:start + per_transaction]
        with engine.begin() as conn:
            ids = enqueue_many(conn, chunk, source="/test/relay-order")
        for event, event_id in zip(chunk, ids, strict=True):
            written[str(event.case_id).encode()].append(event_id)
        time.sleep(pause_s)
    return written


def _published(bootstrap: str, written: dict[bytes, list[str]]) -> dict[bytes, list[str]]:
    """Each case's event ids as they stand on the topic, duplicates included."""
    found: dict[bytes, list[str]] = {key: [] for key in written}
    reader = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                           enable_auto_commit=False)

    def poll(timeout_ms: int) -> None:
        for batch in reader.poll(timeout_ms=timeout_ms).values():
            for record in batch:
                if record.key in found:
                    found[record.key].append(dict(record.headers)["ce_id"].decode())

    try:
        partitions = [TopicPartition(TOPIC, p) for p in reader.partitions_for_topic(TOPIC)]
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(
                not set(ids) <= set(found[key]) for key, ids in written.items()):
            poll(500)
        for _ in range(3):  # a late duplicate would come after the rest: let it show up
            poll(300)
    finally:
        reader.close()
    return found


def _wait_until_empty(relay: OutboxRelay, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while relay.backlog() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert relay.backlog() == 0, "the relays did not drain the outbox"


def _assert_in_order(written: dict[bytes, list[str]], published: dict[bytes, list[str]]
                     ) -> None:
    wrong = {key.decode(): [written[key].index(i) + 2 for i in ids]  # as case versions
             for key, ids in published.items() if ids != written[key]}
    assert wrong == {}, f"cases whose events are out of order or repeated: {wrong}"


@pytest.fixture
def running() -> Iterator[list[OutboxRelay]]:
    relays: list[OutboxRelay] = []
    yield relays
    for relay in relays:
        relay.stop()


def test_two_relays_on_postgresql_keep_each_case_s_events_in_order(
        postgres_url: str, kafka_bootstrap: str, running: list[OutboxRelay]) -> None:
    engine = make_engine(postgres_url)
    outbox_metadata.create_all(engine)
    producers = [_Paused(kafka_bootstrap, seed) for seed in (1, 2)]
    running.extend(_relay(engine, p) for p in producers)
    try:
        written = _write(engine, per_transaction=CASES * EVENTS_PER_CASE, pause_s=0)
        for relay in running:
            relay.start()
        _wait_until_empty(running[0])
        _assert_in_order(written, _published(kafka_bootstrap, written))
        assert all(p.published for p in producers), "both relays published"
    finally:
        engine.dispose()


def test_an_in_process_relay_and_a_relay_process_on_sqlite_keep_each_case_s_events_in_order(
        tmp_path: Path, kafka_bootstrap: str, running: list[OutboxRelay]) -> None:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    database = ServiceDatabase(schema(), url)
    database.migrate()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CASE_INTAKE_", "CIVIC_", "KAFKA_"))}
    env.update(CASE_INTAKE_DATABASE_URL=url, KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
               CIVIC_ENV="test", CASE_INTAKE_RELAY_POLL_SECONDS="0.01")
    log = (tmp_path / "relay.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "case_intake", "relay"], env=env,
                               cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    producer = _Paused(kafka_bootstrap, seed=3)
    in_process = _relay(database.engine, producer)
    running.append(in_process)
    try:
        # The relay process is up once it has published a first event on its own.
        _write_one_and_wait(database.engine, in_process, process)
        in_process.start()
        written = _write(database.engine, per_transaction=2, pause_s=0.02)
        _wait_until_empty(in_process)
        published = _published(kafka_bootstrap, written)
    finally:
        process.terminate()
        process.wait(20)
        log.close()
        database.dispose()
    _assert_in_order(written, published)
    total = CASES * EVENTS_PER_CASE
    assert 0 < producer.published < total, "both relays published"


def _write_one_and_wait(engine: Engine, relay: OutboxRelay, process: subprocess.Popen[bytes]
                        ) -> None:
    with engine.begin() as conn:
        enqueue_many(conn, [_change(uuid.uuid4(), 1)], source="/test/relay-order")
    deadline = time.monotonic() + 60
    while relay.backlog() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None and relay.backlog() == 0, "the relay process did not start"
