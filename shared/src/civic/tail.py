"""`civic tail`: watch a topic as a developer would, one readable block per event."""

from __future__ import annotations

import json
import sys
import time
from typing import TextIO

from kafka import KafkaConsumer

from civic.contracts import MalformedEvent, decode


def tail(topic: str, bootstrap_servers: str, from_beginning: bool, max_events: int | None,
         idle_timeout: float | None, out: TextIO = sys.stdout, compact: bool = False) -> int:
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap_servers,
                             auto_offset_reset="earliest" if from_beginning else "latest",
                             enable_auto_commit=False, consumer_timeout_ms=500)
    print(f"tailing {topic} on {bootstrap_servers} (Ctrl-C stops)", file=sys.stderr, flush=True)
    shown = 0
    last = time.monotonic()
    try:
        while True:
            for record in consumer:
                last = time.monotonic()
                out.write(render(record, indent=None if compact else 2) + "\n")
                out.flush()
                shown += 1
                if max_events is not None and shown >= max_events:
                    return 0
            if idle_timeout is not None and time.monotonic() - last > idle_timeout:
                return 0 if shown else 1
    except KeyboardInterrupt:
        return 0
    finally:
        consumer.close()


def render(record, indent: int | None = 2) -> str:  # type: ignore[no-untyped-def]
    where = f"{record.topic}[{record.partition}]@{record.offset}"
    try:
        event = decode(record.headers or [], record.value, record.key)
    except MalformedEvent as exc:
        return json.dumps({"at": where, "valid": False, "error": str(exc)}, indent=indent)
    return json.dumps({
        "at": where,
        "valid": True,
        "cloudevent": {"id": event.id, "type": event.type, "source": event.source,
                       "time": event.time.isoformat(), "subject": event.subject},
        "data": event.payload.model_dump(mode="json"),
    }, indent=indent)
