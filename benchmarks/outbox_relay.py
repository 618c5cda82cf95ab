"""Outbox relay throughput (events/s from a full outbox to broker acknowledgement)
against raw kafka-python produce of the same records, same producer settings, same
embedded broker, same run."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

import civic.outbox
from civic.contracts import encode
from civic.contracts.cases import CaseErased
from civic.kafka.broker import EmbeddedBroker
from civic.kafka.producer import EventProducer
from civic.kafka.topics import TopicRegistry
from civic.outbox import OutboxRelay, enqueue

EVENTS = int(os.environ.get("BENCH_OUTBOX_EVENTS", "20000"))


def run() -> dict[str, Any]:
    payloads = [CaseErased(case_id=uuid.uuid4(), erased_at=datetime.now(UTC))
                for _ in range(EVENTS)]
    results: dict[str, Any] = {"events": EVENTS}
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        TopicRegistry.load().apply(broker.bootstrap_servers)

        producer = EventProducer(broker.bootstrap_servers, client_id="bench-raw")
        records = [encode(p, source="/bench") for p in payloads]
        producer.send_all(records[:500])  # warm the connection and metadata
        start = time.perf_counter()
        acked = producer.send_all(records)
        raw_seconds = time.perf_counter() - start
        producer.close()
        assert all(acked)
        results["raw"] = {"seconds": raw_seconds, "events_per_s": EVENTS / raw_seconds}

        engine = create_engine(f"sqlite:///{Path(tmp) / 'outbox.db'}")
        civic.outbox.outbox_metadata.create_all(engine)
        with engine.begin() as conn:
            for payload in payloads:
                enqueue(conn, payload, source="/bench")
        relay = OutboxRelay(engine, lambda: EventProducer(broker.bootstrap_servers,
                                                          client_id="bench-relay"),
                            service="bench")
        relay.relay_once()  # warm up on the first batch, as the raw run did
        start = time.perf_counter()
        relay.drain(timeout_s=300)
        relay_seconds = time.perf_counter() - start
        remaining = relay.backlog()
        relay.stop()
        assert remaining == 0, f"{remaining} events left in the outbox"
        relayed = EVENTS - relay._batch_size
        results["relay"] = {"seconds": relay_seconds, "events_per_s": relayed / relay_seconds}
    results["ratio"] = results["relay"]["events_per_s"] / results["raw"]["events_per_s"]
    return results
