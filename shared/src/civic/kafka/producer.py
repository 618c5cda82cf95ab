"""The platform's producer: idempotent, acks=all, CloudEvents records only."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from kafka import KafkaProducer
from kafka.producer.future import FutureRecordMetadata

from civic.contracts.envelope import KafkaRecord
from civic.kafka.metrics import KafkaMetrics

log = logging.getLogger(__name__)


class EventProducer:
    def __init__(self, bootstrap_servers: str, *, client_id: str,
                 metrics: KafkaMetrics | None = None, **overrides: Any) -> None:
        config: dict[str, Any] = {
            "bootstrap_servers": bootstrap_servers,
            "client_id": client_id,
            "acks": "all",
            "enable_idempotence": True,
            "linger_ms": 5,
            # A bounded wait, so a caller (the outbox relay) notices a dead broker and
            # backs off instead of blocking forever.
            "max_block_ms": 5_000,
            "request_timeout_ms": 10_000,
            "delivery_timeout_ms": 20_000,
            # fail fast when the broker is down at start (the default waits 30 s)
            "bootstrap_timeout_ms": 5_000,
        }
        config.update(overrides)
        self._producer = KafkaProducer(**config)
        self._metrics = metrics

    def send(self, record: KafkaRecord) -> FutureRecordMetadata:
        future = self._producer.send(record.topic, key=record.key, value=record.value,
                                     headers=list(record.headers))
        metrics = self._metrics
        if metrics is not None:
            topic = record.topic
            future.add_callback(lambda _m: metrics.produced.labels(topic).inc())
            future.add_errback(lambda _e: metrics.publish_failures.labels(topic).inc())
        return future

    def send_all(self, records: Iterable[KafkaRecord], timeout: float = 20.0) -> list[bool]:
        """Send and wait; one flag per record: True when the broker acknowledged it."""
        futures: list[FutureRecordMetadata | None] = []
        records = list(records)
        for record in records:
            try:
                futures.append(self.send(record))
            except Exception as exc:
                # Each further send would block for max_block_ms too; give up on the rest.
                log.warning("publish to %s failed: %s", record.topic, exc)
                if self._metrics is not None:
                    self._metrics.publish_failures.labels(record.topic).inc()
                futures.extend([None] * (len(records) - len(futures)))
                break
        try:
            self._producer.flush(timeout=timeout)
        except Exception as exc:
            log.warning("flush did not finish: %s", exc)
        results = []
        for future in futures:
            if future is None:
                results.append(False)
                continue
            if not future.is_done:
                results.append(False)
                continue
            try:
                future.get(timeout=0)
                results.append(True)
            except Exception as exc:
                log.warning("publish failed: %s", exc)
                results.append(False)
        return results

    def flush(self, timeout: float | None = None) -> None:
        self._producer.flush(timeout=timeout)

    def close(self, timeout: float = 5.0) -> None:
        self._producer.close(timeout=timeout)
