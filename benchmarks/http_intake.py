"""POST /v1/cases on SQLite with the outbox relay running, against a bare FastAPI +
pydantic POST of the same body, both under the same uvicorn settings; then the intake's
latency at half its measured maximum, open loop."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import Server, case_bodies, load
from civic.kafka.broker import EmbeddedBroker, free_port
from civic.kafka.topics import TopicRegistry

CONCURRENCY = 32
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = 2.0


def run() -> dict[str, Any]:
    bodies = case_bodies(2000)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        TopicRegistry.load().apply(broker.bootstrap_servers)
        env = {"CASE_INTAKE_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
               "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers, "LOG_LEVEL": "WARNING"}
        key = subprocess.run([sys.executable, "-m", "case_intake", "keys", "create",
                              "staff.bench", "--role", "staff"], env={**os.environ, **env},
                             capture_output=True, text=True, check=True).stdout.strip()
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

        bare = Server("benchmarks.bare_app:app", free_port())
        try:
            bare.wait("/docs")
            results["bare"] = load({"mode": "closed", "url": bare.url + "/v1/cases",
                                    "bodies": bodies, "headers": headers,
                                    "concurrency": CONCURRENCY, "seconds": SECONDS,
                                    "warmup": WARMUP})
        finally:
            bare.stop()

        intake = Server("case_intake.app:create_app", free_port(), env, factory=True)
        try:
            intake.wait("/readyz")
            results["intake"] = load({"mode": "closed", "url": intake.url + "/v1/cases",
                                      "bodies": bodies, "headers": headers,
                                      "concurrency": CONCURRENCY, "seconds": SECONDS,
                                      "warmup": WARMUP})
            half = results["intake"]["rps"] / 2
            results["intake_at_half"] = load({"mode": "open", "url": intake.url + "/v1/cases",
                                              "bodies": bodies, "headers": headers,
                                              "rate": half, "seconds": SECONDS})
            results["intake_at_half"]["target_rps"] = half
        finally:
            intake.stop()
    results["ratio"] = results["intake"]["rps"] / results["bare"]["rps"]
    return results
