"""Consumer lag for the metrics: how far each input partition's position is behind its
high-water mark, read from faust's consumer every few seconds."""

from __future__ import annotations

import logging
from typing import Any

from civic.kafka.metrics import KafkaMetrics

log = logging.getLogger(__name__)


async def record_lag(consumer: Any, topics: tuple[str, ...], metrics: KafkaMetrics) -> None:
    try:
        for tp in consumer.assignment():
            if tp.topic not in topics:
                continue
            position = await consumer.position(tp)
            highwater = consumer.highwater(tp)
            if position is not None and highwater is not None:
                metrics.lag.labels(tp.topic, str(tp.partition)).set(max(0, highwater - position))
    except Exception:  # a partition lost to a rebalance; the next tick tries again
        log.debug("consumer lag not recorded this time", exc_info=True)
