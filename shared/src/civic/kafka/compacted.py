"""Follow a compacted topic whole, in every worker: a broadcast read, not a group's.

A consumer group divides a topic between workers; a view every worker answers from
(QR events' codes, partner notifications' directory) needs every record in every
worker. So :class:`CompactedReader` assigns itself all of the topic's partitions, reads
from the beginning with no group and no commits, and hands each decoded payload to
``on_event``. The last record per key is the current state, so replaying from the start
after a restart is correct and cheap.

A record the reader can't decode is logged, counted and skipped. It can't go to the
dead-letter topic from here: every worker would send it once at every start. The
service's consumer group also reads the topic, and dead-letters it exactly once.

``synced()`` says when the reader last had nothing left to read: the view's age.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from civic.contracts import EventPayload
from civic.contracts.envelope import decode
from civic.kafka.handling import RetryPolicy
from civic.observability import counter

log = logging.getLogger(__name__)

BACKOFF = RetryPolicy(max_attempts=1, backoff_s=0.5, max_backoff_s=10.0)


class CompactedReader:
    def __init__(self, bootstrap_servers: str, topic: str, *, client_id: str,
                 on_event: Callable[[EventPayload], None],
                 on_synced: Callable[[], None] = lambda: None, poll_ms: int = 200,
                 **overrides: Any) -> None:
        self.topic = topic
        self._on_event = on_event
        self._on_synced = on_synced
        self._poll_ms = poll_ms
        self._config: dict[str, Any] = {
            "bootstrap_servers": bootstrap_servers, "client_id": client_id, "group_id": None,
            "enable_auto_commit": False, "auto_offset_reset": "earliest", **overrides}
        self._consumer: KafkaConsumer | None = None
        self._partitions: list[TopicPartition] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._skipped = counter("civic_compacted_records_skipped_total",
                                "Records a compacted-topic reader could not decode.",
                                ["topic"])

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=f"read-{self.topic}",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def run(self) -> None:
        """Read until stop(), surviving every error (logged, then a capped backoff)."""
        in_a_row = 0
        while not self._stop.is_set():
            try:
                self.read_once()
                in_a_row = 0
            except Exception as exc:
                in_a_row += 1
                delay = BACKOFF.delay(in_a_row)
                log.warning("reading %s: %s: %s (%d in a row); again in %.1f s", self.topic,
                            type(exc).__name__, exc, in_a_row, delay)
                self._close()
                self._stop.wait(delay)
        self._close()

    def read_once(self) -> int:
        """Read one batch; returns how many records were applied."""
        consumer = self._ensure_consumer()
        batches = consumer.poll(timeout_ms=self._poll_ms)
        applied = 0
        for records in batches.values():
            for record in records:
                try:
                    payload = decode(record.headers or [], record.value, record.key).payload
                except Exception as exc:
                    self._skipped.labels(self.topic).inc()
                    log.error("skipped %s[%d]@%d, which does not decode: %s", record.topic,
                              record.partition, record.offset, type(exc).__name__)
                    continue
                self._on_event(payload)
                applied += 1
        if self._caught_up(consumer):
            self._on_synced()
        return applied

    def _ensure_consumer(self) -> KafkaConsumer:
        if self._consumer is not None:
            return self._consumer
        consumer = KafkaConsumer(**self._config)
        try:
            ids = consumer.partitions_for_topic(self.topic)
            if not ids:
                raise LookupError(f"topic {self.topic} has no partitions yet")
            self._partitions = [TopicPartition(self.topic, p) for p in sorted(ids)]
            consumer.assign(self._partitions)
            consumer.seek_to_beginning(*self._partitions)
        except Exception:
            consumer.close()
            raise
        self._consumer = consumer
        return consumer

    def _caught_up(self, consumer: KafkaConsumer) -> bool:
        ends = consumer.end_offsets(self._partitions)
        return all(consumer.position(tp) >= ends[tp] for tp in self._partitions)

    def _close(self) -> None:
        if self._consumer is not None:
            try:
                self._consumer.close()
            except Exception as exc:  # closing a broken connection may fail too
                log.debug("closing the %s reader: %s", self.topic, exc)
            self._consumer = None

