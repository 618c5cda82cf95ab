"""POST /v1/cases on PostgreSQL with one uvicorn worker, then two (``--workers 2``, each
with its own outbox relay), on the embedded broker, closed loop at the same
concurrency: requests per second, p99, and the ratio of two workers to one.

On this 2-core machine the workers share the cores with PostgreSQL, the broker and the
load generator, so the ratio shows what a second worker buys here, not on a machine
where the worker has cores to itself."""

from __future__ import annotations

import os
from typing import Any

from benchmarks.common import Server, case_bodies, fresh_database, load
from case_intake.database import schema
from civic.db import ServiceDatabase
from civic.http.auth import ApiKeyStore, Role
from civic.kafka.broker import EmbeddedBroker, free_port
from civic.kafka.topics import TopicRegistry

CONCURRENCY = 32
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = 2.0


def _measure(env: dict[str, str], workers: int, bodies: list[str],
             headers: dict[str, str]) -> dict[str, Any]:
    server = Server("case_intake.app:create_app", free_port(), env, factory=True,
                    workers=workers)
    try:
        server.wait("/readyz")
        return load({"mode": "closed", "url": server.url + "/v1/cases", "bodies": bodies,
                     "headers": headers, "concurrency": CONCURRENCY, "seconds": SECONDS,
                     "warmup": WARMUP})
    finally:
        server.stop()


def run() -> dict[str, Any]:
    bodies = case_bodies(2000)
    with EmbeddedBroker() as broker, fresh_database() as url:
        TopicRegistry.load().apply(broker.bootstrap_servers)
        database = ServiceDatabase(schema(), url)
        database.migrate()
        key = ApiKeyStore(database.engine).create("staff.bench", Role.STAFF)
        database.dispose()
        env = {"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers, "LOG_LEVEL": "WARNING",
               "CASE_INTAKE_DATABASE_URL": url, "CASE_INTAKE_RUN_CONSUMERS": "false",
               "CASE_INTAKE_APPLY_TOPICS": "false"}
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        one = _measure(env, 1, bodies, headers)
        two = _measure(env, 2, bodies, headers)
    return {"one": one, "two": two, "ratio": two["rps"] / one["rps"] if one["rps"] else 0.0,
            "cores": os.cpu_count()}


def report(result: dict[str, Any]) -> None:
    print(f"POST /v1/cases on PostgreSQL, one uvicorn worker and then two ({CONCURRENCY} "
          f"clients, closed loop, {result['cores']} cores shared with PostgreSQL, the "
          "broker and the load generator)")
    for label in ("one", "two"):
        figures = result[label]
        print(f"  {label} worker{'s' if label == 'two' else ' '}   {figures['rps']:6.0f} req/s"
              f"   p50 {figures['p50_ms']:5.1f} ms   p99 {figures['p99_ms']:6.1f} ms"
              f"   errors {figures['errors']}")
    print(f"  ratio two/one  {result['ratio']:.2f}  (target >= 1.6)\n", flush=True)
