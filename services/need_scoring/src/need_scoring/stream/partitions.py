"""How many partitions the scoring agent's inputs have: all the same, or no start.

The case table is co-partitioned with its inputs: a case's row lives in the partition
its events arrive on, so it moves with them when workers come and go. That holds only
if every input topic is keyed by case id and has the same number of partitions; a
topic created otherwise (by hand, or by an older topics file) stops the service at start,
naming the counts, rather than scattering a case's state.
"""

from __future__ import annotations

import logging

from kafka import KafkaConsumer

log = logging.getLogger(__name__)


class NotCopartitioned(RuntimeError):
    pass


def copartitioned(bootstrap_servers: str, topics: tuple[str, ...]) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None,
                             client_id="need-scoring-partitions")
    try:
        counts = {topic: len(consumer.partitions_for_topic(topic) or ()) for topic in topics}
    finally:
        consumer.close()
    if len(set(counts.values())) != 1 or 0 in counts.values():
        found = ", ".join(f"{topic}: {n}" for topic, n in counts.items())
        raise NotCopartitioned(
            f"need scoring's inputs must exist with the same number of partitions, keyed "
            f"by case id ({found}); see infra/topics.yaml")
    return next(iter(counts.values()))
