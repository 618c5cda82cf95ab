"""Outbox relay throughput (events/s from a full outbox to broker acknowledgement)
against raw kafka-python produce of the same records, same producer settings, same
embedded broker, same run.

``run()`` measures one relay on SQLite with one event per case (what ``make bench``
prints). Run as a module (``python -m benchmarks.outbox_relay``) it also measures
several events per case, on SQLite and, when it answers (``BENCH_OUTBOX_POSTGRES``, or
127.0.0.1:5432), on PostgreSQL with one relay and with two relays side by side: the
relays keep each case's events in order, so this shows what that costs."""

from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

import civic.outbox
from civic.contracts import EventPayload, encode
from civic.contracts.cases import CaseErased
from civic.db import make_engine
from civic.kafka.broker import EmbeddedBroker
from civic.kafka.producer import EventProducer
from civic.kafka.topics import TopicRegistry
from civic.outbox import OutboxRelay, enqueue, enqueue_many

EVENTS = int(os.environ.get("BENCH_OUTBOX_EVENTS", "20000"))
PER_CASE = int(os.environ.get("BENCH_OUTBOX_PER_CASE", "5"))
POSTGRES = os.environ.get("BENCH_OUTBOX_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


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


def _several_per_case() -> list[EventPayload]:
    """EVENTS events, PER_CASE for each case, a case's events spread over the outbox."""
    cases = [uuid.uuid4() for _ in range(EVENTS // PER_CASE)]
    return [CaseErased(case_id=c, erased_at=datetime.now(UTC))
            for _ in range(PER_CASE) for c in cases]


def _timed_drain(engine: Engine, servers: str, relays: int) -> dict[str, Any]:
    """Fill the outbox, then drain it with ``relays`` relays at once (threads)."""
    payloads = _several_per_case()
    with engine.begin() as conn:
        for start in range(0, len(payloads), 1000):
            enqueue_many(conn, payloads[start:start + 1000], source="/bench")
    made = [OutboxRelay(engine, lambda: EventProducer(servers, client_id="bench-relay"),
                        service="bench") for _ in range(relays)]
    for relay in made:
        relay._ensure_producer().send_all([])  # connect before the clock starts
    errors: list[BaseException] = []

    def drain(relay: OutboxRelay) -> None:
        try:
            relay.drain(timeout_s=300)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=drain, args=(r,)) for r in made]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    remaining = made[0].backlog()
    for relay in made:
        relay.stop()
    assert not errors, errors
    assert remaining == 0, f"{remaining} events left in the outbox"
    return {"relays": relays, "events": len(payloads), "seconds": seconds,
            "events_per_s": len(payloads) / seconds}


def _postgres_engine() -> tuple[Engine, Callable[[], None]] | None:
    with suppress(OSError):
        host = POSTGRES.split("@", 1)[-1].split("/", 1)[0]
        name, _, port = host.partition(":")
        socket.create_connection((name, int(port or 5432)), timeout=0.5).close()
        schema = f"bench_outbox_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(POSTGRES, schema)

        def drop() -> None:
            engine.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        return engine, drop
    return None


def run_several_per_case() -> dict[str, Any]:
    results: dict[str, Any] = {"per_case": PER_CASE}
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        TopicRegistry.load().apply(broker.bootstrap_servers)
        for relays in (1, 2):
            engine = make_engine(f"sqlite:///{Path(tmp) / f'outbox{relays}.db'}")
            civic.outbox.outbox_metadata.create_all(engine)
            results[f"sqlite_{relays}"] = _timed_drain(engine, broker.bootstrap_servers, relays)
            engine.dispose()
        for relays in (1, 2):
            postgres = _postgres_engine()
            if postgres is None:
                break
            engine, drop = postgres
            try:
                civic.outbox.outbox_metadata.create_all(engine)
                results[f"postgres_{relays}"] = _timed_drain(engine, broker.bootstrap_servers,
                                                             relays)
            finally:
                drop()
    return results


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("kafka").setLevel(logging.ERROR)
    base = run()
    print(f"one event per case, SQLite, one relay: raw {base['raw']['events_per_s']:.0f} "
          f"events/s, relay {base['relay']['events_per_s']:.0f} events/s, "
          f"ratio {base['ratio']:.2f}")
    several = run_several_per_case()
    for name, figures in several.items():
        if isinstance(figures, dict):
            print(f"{PER_CASE} events per case, {name.replace('_', ', relays: ')}: "
                  f"{figures['events_per_s']:.0f} events/s ({figures['events']} events)")
    print(json.dumps({"base": base, "several": several}, indent=1))
