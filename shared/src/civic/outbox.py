"""Transactional outbox: an event is written in the same database transaction as the
change it describes, and a relay publishes it afterwards.

So an accepted request is never lost when the broker is down: the row waits, and the
relay retries with backoff. A row is deleted only after the broker acknowledged it, and
it keeps its event id across retries, so a retry after a crash is a duplicate that
consumers skip by id, never a second event under a new id. A case's events reach the
topic in the order written, however many relays run (``OutboxRelay._take``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Gauge
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    Row,
    String,
    Table,
    any_,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from civic.contracts import EventPayload, KafkaRecord, encode
from civic.db import BigId, UtcDateTime, write_lock
from civic.kafka.producer import EventProducer
from civic.observability import gauge, metric_prefix
from civic.outbox_turn import RelayTurn
from civic.process import taking_turns

log = logging.getLogger(__name__)

# Only services that publish through an outbox add this to their migration targets.
outbox_metadata = MetaData()

outbox = Table(
    "outbox",
    outbox_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("event_type", String(80), nullable=False),
    Column("topic", String(120), nullable=False),
    Column("key", LargeBinary, nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(500)),
)


def enqueue(conn: Connection, payload: EventPayload, *, source: str) -> str:
    """Add an event to the outbox inside the caller's transaction; return its id."""
    return enqueue_many(conn, [payload], source=source)[0]


def enqueue_many(conn: Connection, payloads: Sequence[EventPayload], *, source: str,
                 take_turns: bool = False) -> list[str]:
    """Add events in order, in one insert; return their ids. ``take_turns``: see taking_turns."""
    now = datetime.now(UTC)
    rows: list[dict[str, object]] = []
    ids: list[str] = []
    for payload in taking_turns(payloads) if take_turns else payloads:
        record = encode(payload, source=source)
        ids.append(dict(record.headers)["ce_id"].decode())
        rows.append({"event_id": ids[-1],
                     "event_type": payload.event_type, "topic": record.topic,
                     "key": record.key, "value": record.value,
                     "headers": [[k, v.decode()] for k, v in record.headers],
                     "created_at": now, "attempts": 0})
    if rows:
        conn.execute(insert(outbox), rows)
    return ids


def redact_pending(conn: Connection, *, key: str, event_type: str,
                   fields: dict[str, object]) -> int:
    """Erasure: events not yet published still carry what has just been erased. Set
    these payload fields on every waiting event of this type and key, keeping each
    event's id; return how many were changed."""
    rows = conn.execute(select(outbox.c.id, outbox.c.value).where(
        outbox.c.key == key.encode(), outbox.c.event_type == event_type)).all()
    for row in rows:
        payload = {**json.loads(row.value), **fields}
        conn.execute(update(outbox).where(outbox.c.id == row.id).values(
            value=json.dumps(payload, separators=(",", ":")).encode()))
    return len(rows)


class OutboxRelay:
    def __init__(self, engine: Engine, producer_factory: Callable[[], EventProducer], *,
                 service: str, batch_size: int = 500, idle_wait_s: float = 0.2,
                 coalesce_s: float = 0.02, max_backoff_s: float = 5.0) -> None:
        self._engine = engine
        self._producer_factory = producer_factory
        self._producer: EventProducer | None = None
        self._batch_size = batch_size
        self._idle_wait = idle_wait_s
        self._coalesce = coalesce_s
        self._max_backoff = max_backoff_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._turn = RelayTurn(engine)
        self.backlog_gauge: Gauge = gauge(f"{metric_prefix(service)}_outbox_backlog",
                                          "Events written but not yet acknowledged by Kafka.")
        self.backlog_gauge.set_function(self._backlog_or_nan)

    def backlog(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())

    def _backlog_or_nan(self) -> float:
        try:
            return float(self.backlog())
        except Exception:
            return float("nan")

    def notify(self) -> None:
        """Wake the relay now rather than at its next poll."""
        self._wake.set()

    def relay_once(self) -> int:
        """Publish one batch; return how many were acknowledged: none when the outbox is
        empty or every waiting case is another relay's just now. Raises if the broker
        acknowledged none of a batch."""
        with self._turn() as mine:
            return self._publish_batch() if mine else 0

    def _publish_batch(self) -> int:
        with self._engine.connect() as conn:
            rows = self._take(conn)
            if not rows:
                conn.rollback()
                return 0
            records = [KafkaRecord(r.topic, r.key, r.value, [(k, v.encode()) for k, v in r.headers])
                       for r in rows]
            try:
                acked = self._ensure_producer().send_all(records)
            except Exception:
                self._drop_producer()
                raise
            done = [r.id for r, ok in zip(rows, acked, strict=True) if ok]
            failed = [r.id for r, ok in zip(rows, acked, strict=True) if not ok]
            with write_lock(self._engine):
                if done:
                    conn.execute(delete(outbox).where(outbox.c.id.in_(done)))
                if failed:
                    conn.execute(update(outbox).where(outbox.c.id.in_(failed)).values(
                        attempts=outbox.c.attempts + 1,
                        last_error="broker did not acknowledge"))
                conn.commit()
        if failed:
            # An idempotent producer that lost its producer id (say, the broker restarted)
            # fails every later send; a fresh one recovers.
            self._drop_producer()
        if not done:
            raise ConnectionError(f"broker acknowledged none of {len(rows)} outbox events")
        return len(done)

    def _take(self, conn: Connection) -> Sequence[Row[Any]]:
        """The next batch, in the order written. Each case in it is this relay's until
        the transaction ends, so no other relay publishes a case's later event first.
        SQLite: one relay at a time (``civic.outbox_turn``). PostgreSQL: a relay takes a
        case by locking its earliest waiting event, which other relays skip; a later
        event is not a case's earliest while an earlier one waits (intake writes a case's
        events under its row lock: ids follow commits). Only the oldest rows are looked
        at; in them, a case's first row is its earliest."""
        batch = select(outbox).order_by(outbox.c.id).limit(self._batch_size)
        if conn.dialect.name == "sqlite":
            return conn.execute(batch).all()
        window = select(outbox.c.id, outbox.c.key).order_by(outbox.c.id).limit(
            2 * self._batch_size).subquery()
        earliest = select(func.min(window.c.id)).group_by(window.c.key)
        heads = conn.execute(select(outbox.c.id, outbox.c.key).where(outbox.c.id.in_(earliest))
                             .order_by(outbox.c.id).limit(self._batch_size)
                             .with_for_update(skip_locked=True)).all()
        if not heads:
            return []
        keys = any_(literal([h.key for h in heads], ARRAY(LargeBinary)))  # one parameter
        return conn.execute(batch.where(outbox.c.key == keys, outbox.c.id <= heads[-1].id)).all()

    def drain(self, timeout_s: float = 30.0) -> None:
        """Relay until the outbox is empty (used at shutdown and in tests)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.relay_once():
                if not self.backlog():
                    return
                time.sleep(max(self._coalesce, 0.01))  # another relay holds what is left

    def run(self) -> None:
        backoff = self._idle_wait
        while not self._stop.is_set():
            try:
                sent = self.relay_once()
                backoff = self._idle_wait
            except Exception as exc:
                log.warning("outbox relay: %s; retrying in %.1fs", exc, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            if sent < self._batch_size:
                self._wake.wait(self._idle_wait)
                self._wake.clear()
                # Let a burst gather: one batch of many costs far less than many of one,
                # for a publish delay of a few tens of milliseconds.
                self._stop.wait(self._coalesce)

    def start(self) -> threading.Thread:
        self._stop.clear()  # an app may start, stop and start again in one process
        thread = threading.Thread(target=self.run, name="outbox-relay", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._drop_producer()

    def _ensure_producer(self) -> EventProducer:
        if self._producer is None:
            self._producer = self._producer_factory()
        return self._producer

    def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.close(timeout=1.0)
            except Exception:
                log.debug("closing producer failed", exc_info=True)
