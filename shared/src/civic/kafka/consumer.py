"""The platform's consumer loop.

Processing is at-least-once and idempotent: offsets are committed only after a batch
is handled, each event id is handled once (duplicates are skipped), a failing handler
is retried a bounded number of times, and then the message goes to ``<topic>.dlq``
with the error in its headers so the stream keeps moving. A message that is not a
valid civic event is poison: it goes to the DLQ at once, because retrying cannot help.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import OffsetAndMetadata

from civic.contracts.envelope import Envelope, MalformedEvent, decode
from civic.kafka.deadletter import dead_letter
from civic.kafka.metrics import KafkaMetrics
from civic.kafka.producer import EventProducer

log = logging.getLogger(__name__)

Handler = Callable[[Envelope], None]


class ProcessedEvents(Protocol):
    """Remembers which event ids were handled, so redelivery does no harm."""

    def seen(self, event_id: str) -> bool: ...
    def remember(self, event_id: str) -> None: ...


class RecentEvents:
    """In-process memory of the most recent event ids. It forgets on restart, so a
    handler must also be safe to run twice (upserts, not increments); a service that
    needs more can pass its own ProcessedEvents backed by its database."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    def seen(self, event_id: str) -> bool:
        return event_id in self._ids

    def remember(self, event_id: str) -> None:
        self._ids[event_id] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)


def dev_consumer_settings() -> dict[str, Any]:
    """Short group timeouts for the embedded broker. Measured on Tansu 0.6 with
    kafka-python 3.0: it holds a JoinGroup for about half of session_timeout_ms
    (45 s default: 23 s to the first message; 2 s: 1 s). max_poll_interval_ms made no
    difference there, so it stays large and a slow batch never costs the assignment."""
    return {"session_timeout_ms": 2_000, "heartbeat_interval_ms": 500,
            "max_poll_interval_ms": 300_000}


class EventConsumer:
    def __init__(
        self,
        bootstrap_servers: str,
        *,
        group_id: str,
        topics: list[str],
        handler: Handler,
        dlq_producer: EventProducer,
        processed: ProcessedEvents | None = None,
        metrics: KafkaMetrics | None = None,
        max_attempts: int = 3,
        retry_backoff_s: float = 0.2,
        max_poll_records: int = 500,
        **overrides: Any,
    ) -> None:
        config: dict[str, Any] = {
            "bootstrap_servers": bootstrap_servers,
            "group_id": group_id,
            "client_id": group_id,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "max_poll_records": max_poll_records,
            # topics come from the registry; an auto-created one would have the wrong shape
            "allow_auto_create_topics": False,
        }
        config.update(overrides)
        self.group_id = group_id
        self._consumer = KafkaConsumer(*topics, **config)
        self._handler = handler
        self._dlq = dlq_producer
        self._processed = processed or RecentEvents()
        self._metrics = metrics
        self._max_attempts = max_attempts
        self._backoff = retry_backoff_s
        self._stop = threading.Event()

    def poll_once(self, timeout_ms: int = 500) -> int:
        """Handle one batch and commit it; return how many records were handled."""
        batches = self._consumer.poll(timeout_ms=timeout_ms)
        handled = 0
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for tp, records in batches.items():
            for record in records:
                self._handle(record)
                handled += 1
                offsets[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
        if offsets:
            self._consumer.commit(offsets)
        self._record_lag()
        return handled

    def run(self) -> None:
        while not self._stop.is_set():
            self.poll_once()

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._consumer.close()

    def _handle(self, record: ConsumerRecord) -> None:
        try:
            envelope = decode(record.headers or [], record.value, record.key)
        except MalformedEvent as exc:
            self._dead_letter(record, exc, attempts=0)
            return
        if self._processed.seen(envelope.id):
            if self._metrics:
                self._metrics.duplicates.labels(record.topic).inc()
            return
        for attempt in range(1, self._max_attempts + 1):
            try:
                self._handler(envelope)
            except Exception as exc:
                if self._metrics:
                    self._metrics.failed.labels(record.topic, type(exc).__name__).inc()
                log.warning("handling %s %s failed (attempt %d/%d): %s", envelope.type,
                            envelope.id, attempt, self._max_attempts, exc)
                if attempt == self._max_attempts:
                    self._dead_letter(record, exc, attempts=attempt)
                    return
                time.sleep(self._backoff * 2 ** (attempt - 1))
            else:
                self._processed.remember(envelope.id)
                if self._metrics:
                    self._metrics.consumed.labels(record.topic).inc()
                return

    def _dead_letter(self, record: ConsumerRecord, error: Exception, attempts: int) -> None:
        dlq_record = dead_letter(
            topic=record.topic, partition=record.partition, offset=record.offset,
            key=record.key, value=record.value, headers=record.headers or [], error=error,
            consumer_group=self.group_id, attempts=attempts)
        # The offset is committed only after this returns, so if the DLQ write cannot
        # be acknowledged we raise and the message is redelivered rather than lost.
        if not all(self._dlq.send_all([dlq_record])):
            raise RuntimeError(f"could not write to {dlq_record.topic}; will redeliver")
        log.error("sent %s[%d]@%d to %s: %s", record.topic, record.partition, record.offset,
                  dlq_record.topic, error)
        if self._metrics:
            self._metrics.dead_lettered.labels(record.topic).inc()

    def _record_lag(self) -> None:
        if self._metrics is None:
            return
        for tp in self._consumer.assignment():
            highwater = self._consumer.highwater(tp)
            if highwater is None:
                continue
            position = self._consumer.position(tp)
            self._metrics.lag.labels(tp.topic, str(tp.partition)).set(max(0, highwater - position))
