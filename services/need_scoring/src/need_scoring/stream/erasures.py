"""Erased cases: read before the stream starts, and forgotten in the database.

A replay reads cases.submitted and cases.lifecycle side by side, in no fixed order
between them, so a case could be rescored before its erasure is seen. Reading every
erasure first closes that gap: an erased case is never scored again. Only the event type
header and the key are read; erasures carry nothing else.

Once a case is erased, ``forget_erased`` leaves no trace of the resident in need
scoring's database (the stream calls it after each batch, and at start for every erasure
on the topic).
"""

from __future__ import annotations

import logging
import time

from kafka import KafkaConsumer, TopicPartition
from sqlalchemy.orm import Session, sessionmaker

from need_scoring.audit import repository as audit
from need_scoring.overrides import repository as overrides

ERASED_TYPE = b"civic.case.erased.v1"
ERASED_TEXT = "(erased)"  # what stands in for erased free text, as in case intake


class ErasuresUnread(RuntimeError):
    """The erasures could not all be read in time; starting anyway could rescore one."""


def erased_case_ids(bootstrap_servers: str, topic: str = "cases.lifecycle",
                    quiet_polls: int = 3, limit_seconds: float = 120) -> set[str]:
    # A short fetch wait: the embedded broker holds every fetch for the whole wait.
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False,
                             max_poll_records=5000, request_timeout_ms=10_000,
                             fetch_max_wait_ms=100)
    erased: set[str] = set()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not assigned:
            return erased
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        deadline = time.monotonic() + limit_seconds
        quiet = 0
        while quiet < quiet_polls:
            if time.monotonic() > deadline:
                raise ErasuresUnread(f"could not read all of {topic} in {limit_seconds:.0f} s;"
                                     " refusing to start, so no erased case is rescored")
            # The embedded broker's end offsets are wrong, so the read ends after several
            # polls in a row bring nothing new (each far longer than a fetch's wait).
            batch = consumer.poll(timeout_ms=500)
            quiet = 0 if batch else quiet + 1
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


def forget_erased(sessions: sessionmaker[Session], case_ids: list[str]) -> None:
    """In one transaction: staff's band override decisions about these cases go, with
    the reasons they gave (staff's words about the resident's situation); the purposes
    in the audit log are replaced, and who read or changed what, and when, stays. Safe
    to repeat, so a failed attempt is simply tried again."""
    with sessions.begin() as session:
        for start in range(0, len(case_ids), 500):  # under every driver's parameter limit
            chunk = case_ids[start:start + 500]
            overrides.delete_for_cases(session, chunk)
            audit.blank_purposes(session, chunk, ERASED_TEXT)
