"""Erased cases, read before the stream starts.

A replay reads cases.submitted and cases.lifecycle side by side, in no fixed order
between them, so a case could be rescored before its erasure is seen. Reading every
erasure first closes that gap: an erased case is never scored again. Only the event type
header and the key are read; erasures carry nothing else.
"""

from __future__ import annotations

import logging
import time

from kafka import KafkaConsumer, TopicPartition

ERASED_TYPE = b"civic.case.erased.v1"


def erased_case_ids(bootstrap_servers: str, topic: str = "cases.lifecycle",
                    quiet_seconds: float = 0.5, limit_seconds: float = 120) -> set[str]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False,
                             max_poll_records=5000, request_timeout_ms=10_000)
    erased: set[str] = set()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not assigned:
            return erased
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        deadline = time.monotonic() + limit_seconds
        while time.monotonic() < deadline:
            # The broker's end offsets are unreliable on the embedded broker, so the
            # read ends when a poll of `quiet_seconds` brings nothing new.
            batch = consumer.poll(timeout_ms=int(quiet_seconds * 1000))
            if not batch:
                break
            for records in batch.values():
                for record in records:
                    if (dict(record.headers or []).get("ce_type") == ERASED_TYPE
                            and record.key):
                        erased.add(record.key.decode())
    finally:
        # Closing cancels kafka-python's background metadata refresh, which it logs as
        # an ERROR; nothing failed, so that one line is kept out of the log.
        cluster_log = logging.getLogger("kafka.cluster")
        level = cluster_log.level
        cluster_log.setLevel(logging.CRITICAL)
        try:
            consumer.close()
        finally:
            cluster_log.setLevel(level)
    return erased
