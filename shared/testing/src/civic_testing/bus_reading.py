"""Reading a broker's topics to their end, for the bus scanner."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from civic_testing.bus_rules import Violation, check_record

SELF_TEST_PREFIX = "civic-testing.bus-scanner-self-test."
INTERNAL_PREFIX = "__"


@dataclass
class ScanResult:
    violations: list[Violation] = field(default_factory=list)
    messages: int = 0
    topics: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)  # partitions not read to the end

    @property
    def clean(self) -> bool:
        return not self.violations and not self.unfinished

    def report(self, limit: int = 200) -> str:
        lines = [f"bus scan: {self.messages} messages on {len(self.topics)} topics, "
                 f"{len(self.violations)} violations"]
        lines += [f"  {v}" for v in self.violations[:limit]]
        if len(self.violations) > limit:
            lines.append(f"  … and {len(self.violations) - limit} more")
        lines += [f"  not read to its end: {p}" for p in self.unfinished]
        return "\n".join(lines)


Offsets = dict[tuple[str, int], int]


def _client(bootstrap_servers: str) -> Any:
    from kafka import KafkaConsumer

    return KafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None,
                         enable_auto_commit=False, client_id="civic-bus-scanner",
                         request_timeout_ms=30_000)


def _scanned(name: str) -> bool:
    return not name.startswith((INTERNAL_PREFIX, SELF_TEST_PREFIX))


def _partitions(consumer: Any, names: Iterable[str]) -> list[Any]:
    from kafka import TopicPartition

    return [TopicPartition(t, p) for t in sorted(names)
            for p in sorted(consumer.partitions_for_topic(t) or ())]


def _read(consumer: Any, partitions: list[Any], since: Offsets, timeout_s: float,
          idle_s: float, each: Any) -> list[str]:
    """Read ``partitions`` from ``since`` to their end, calling ``each(record)``; return
    the partitions not read to their end in time.

    The end is where reading stops finding messages, once at least the reported end
    offset is reached: the embedded broker (Tansu 0.6) reports as a partition's end the
    base offset of its last batch plus one, short of the real end when that batch holds
    more than one message."""
    consumer.assign(partitions)
    begins = consumer.beginning_offsets(partitions)
    reported = consumer.end_offsets(partitions)
    for tp in partitions:
        consumer.seek(tp, max(begins[tp], since.get((tp.topic, tp.partition), 0)))
    deadline = time.monotonic() + timeout_s
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        batches = consumer.poll(timeout_ms=200, max_records=5000)
        for records in batches.values():
            for record in records:
                each(record)
        behind = [tp for tp in partitions if consumer.position(tp) < reported[tp]]
        if batches or behind:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= idle_s:
            return []
    return [f"{tp.topic}[{tp.partition}] at {consumer.position(tp)}, reported end "
            f"{reported[tp]}" for tp in partitions
            if consumer.position(tp) < reported[tp]] or ["not quiet before the deadline"]


def end_offsets(bootstrap_servers: str, timeout_s: float = 60.0,
                topics: Sequence[str] | None = None) -> Offsets:
    """Where each partition of each topic (or of ``topics``) ends now, found by reading
    it: a scan from here reads only what is produced later (for a broker that held
    messages already)."""
    consumer = _client(bootstrap_servers)
    try:
        partitions = _partitions(consumer, consumer.topics() if topics is None else topics)
        if partitions and (unfinished := _read(consumer, partitions, {}, timeout_s, 1.0,
                                                lambda record: None)) and topics is not None:
            raise TimeoutError(f"not read to the end in {timeout_s:.0f} s: {unfinished}")
        return {(tp.topic, tp.partition): consumer.position(tp) for tp in partitions}
    finally:
        consumer.close()


def scan_bus(bootstrap_servers: str, *, topics: Sequence[str] | None = None,
             since: Offsets | None = None, timeout_s: float = 120.0,
             idle_s: float = 1.0) -> ScanResult:
    """Read every message of ``topics`` (default: every topic but the broker's own and
    the self-test's) from ``since`` (default: the beginning) to its end, and check each."""
    consumer = _client(bootstrap_servers)
    result = ScanResult()

    def each(record: Any) -> None:
        result.messages += 1
        result.violations += check_record(record.topic, record.partition, record.offset,
                                          record.key, record.value, record.headers or (),
                                          record.timestamp)

    try:
        names = sorted(topics if topics is not None
                       else (t for t in consumer.topics() if _scanned(t)))
        result.topics = names
        partitions = _partitions(consumer, names)
        if partitions:
            result.unfinished = _read(consumer, partitions, since or {}, timeout_s, idle_s,
                                      each)
        return result
    finally:
        consumer.close()
