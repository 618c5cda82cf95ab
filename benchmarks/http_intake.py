"""POST /v1/cases on SQLite with the outbox relay running, against a bare FastAPI +
pydantic POST of the same body, all under the same uvicorn settings; then the intake's
latency at half its measured maximum, open loop.

Two layouts are measured: the relay inside the API process (the default), and the
relay as its own process (CASE_INTAKE_RUN_RELAY=false plus `case_intake relay`)."""

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


def _closed(url: str, bodies: list[str], headers: dict[str, str]) -> dict[str, Any]:
    return load({"mode": "closed", "url": url, "bodies": bodies, "headers": headers,
                 "concurrency": CONCURRENCY, "seconds": SECONDS, "warmup": WARMUP})


def _intake(env: dict[str, str], bodies: list[str], headers: dict[str, str],
            separate_relay: bool) -> dict[str, Any]:
    env = {**env, "CASE_INTAKE_RUN_RELAY": "false" if separate_relay else "true"}
    relay = None
    if separate_relay:
        relay = subprocess.Popen([sys.executable, "-m", "case_intake", "relay"],
                                 env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    server = Server("case_intake.app:create_app", free_port(), env, factory=True)
    try:
        server.wait("/readyz")
        result = {"max": _closed(server.url + "/v1/cases", bodies, headers)}
        half = result["max"]["rps"] / 2
        result["at_half"] = load({"mode": "open", "url": server.url + "/v1/cases",
                                  "bodies": bodies, "headers": headers, "rate": half,
                                  "seconds": SECONDS, "warmup": WARMUP})
        result["at_half"]["target_rps"] = half
        return result
    finally:
        server.stop()
        if relay is not None:
            relay.terminate()
            relay.wait(10)


def run() -> dict[str, Any]:
    bodies = case_bodies(2000)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        TopicRegistry.load().apply(broker.bootstrap_servers)
        env = {"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers, "LOG_LEVEL": "WARNING"}
        bare = Server("benchmarks.bare_app:app", free_port())
        try:
            bare.wait("/docs")
            results["bare"] = _closed(bare.url + "/v1/cases", bodies,
                                      {"Content-Type": "application/json"})
        finally:
            bare.stop()
        for layout, separate in (("relay_in_process", False), ("relay_process", True)):
            layout_env = {**env, "CASE_INTAKE_DATABASE_URL":
                          f"sqlite:///{Path(tmp) / (layout + '.db')}"}
            key = subprocess.run(
                [sys.executable, "-m", "case_intake", "keys", "create", "staff.bench",
                 "--role", "staff"], env={**os.environ, **layout_env}, capture_output=True,
                text=True, check=True).stdout.strip()
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            results[layout] = _intake(layout_env, bodies, headers, separate)
            results[layout]["ratio"] = results[layout]["max"]["rps"] / results["bare"]["rps"]
    return results
