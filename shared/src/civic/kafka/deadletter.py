"""How a message that could not be processed goes to ``<topic>.dlq``: unchanged, with
why and where it failed in ``civic_dlq_*`` headers, so it can be inspected and replayed.
Every consumer, whatever its client library, writes the same headers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import ValidationError

from civic.contracts.envelope import KafkaRecord
from civic.kafka.topics import DLQ_SUFFIX

# Headers are on the bus like any value: a reason is short and never quotes the input.
REASON_LIMIT = 200


def reason_of(error: BaseException) -> str:
    """Why a message failed, without the values it held: a validation error's own text
    quotes its input, so only where and what is kept."""
    if isinstance(error, ValidationError):
        text = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'message'}: {e['msg']}"
                         for e in error.errors(include_input=False, include_url=False))
        text = f"{error.error_count()} invalid field(s): {text}"
    else:
        text = str(error) or type(error).__name__
    return text if len(text) <= REASON_LIMIT else text[:REASON_LIMIT - 1] + "…"


def dead_letter(*, topic: str, partition: int, offset: int, key: bytes | None,
                value: bytes | None, headers: Iterable[tuple[str, bytes]],
                error: BaseException, consumer_group: str, attempts: int) -> KafkaRecord:
    kept = [(k, v) for k, v in headers if not k.startswith("civic_dlq_")]
    kept += [
        ("civic_dlq_reason", reason_of(error).encode()),
        ("civic_dlq_error_type", type(error).__name__.encode()),
        ("civic_dlq_source_topic", topic.encode()),
        ("civic_dlq_source_partition", str(partition).encode()),
        ("civic_dlq_source_offset", str(offset).encode()),
        ("civic_dlq_consumer_group", consumer_group.encode()),
        ("civic_dlq_attempts", str(attempts).encode()),
        ("civic_dlq_failed_at", datetime.now(UTC).isoformat().encode()),
    ]
    return KafkaRecord(topic=topic + DLQ_SUFFIX, key=key or b"", value=value or b"",
                       headers=kept)
