"""GET /q/{code} against a bare FastAPI redirect (benchmarks/bare_redirect.py), under the
same uvicorn settings: maximum throughput (closed loop), then p99 at half that maximum
(open loop). Then the same with the broker stopped, and with 10,000 codes in the
service. The relay runs as its own process (`python -m qr_events relay`, the layout for
load), and once in the API process for comparison. And the time to draw one SVG, PNG
and PDF poster."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.common import Server, cpu_seconds, load
from civic.kafka.broker import EmbeddedBroker, free_port
from civic.kafka.topics import TopicRegistry

CONCURRENCY = 32
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = 2.0
AGENT = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile"}


def _measure(url: str, paths: list[str], processes: dict[str, int]) -> dict[str, Any]:
    """The maximum, with each process's CPU time per request at it (where the two cores
    went: the load generator has the rest), then p99 at half that maximum."""
    spec = {"mode": "closed", "method": "GET", "url": url, "paths": paths, "headers": AGENT,
            "concurrency": CONCURRENCY, "seconds": SECONDS, "warmup": WARMUP}
    before = {name: cpu_seconds(pid) for name, pid in processes.items()}
    result = {"max": load(spec)}
    sent = result["max"]["rps"] * (SECONDS + WARMUP)  # the warm-up's requests used CPU too
    result["cpu_us_per_request"] = {
        name: (cpu_seconds(pid) - before[name]) / sent * 1e6 for name, pid in processes.items()}
    half = result["max"]["rps"] / 2
    result["at_half"] = load(spec | {"mode": "open", "rate": half})
    result["at_half"]["target_rps"] = half
    return result


def _make_codes(env: dict[str, str], count: int) -> list[str]:
    """Codes straight into the database (and outbox), before the server starts."""
    from civic.db import ServiceDatabase
    from civic.http.auth import Principal, Role
    from qr_events.codes.destinations import Destinations
    from qr_events.codes.links import ShortLinks
    from qr_events.codes.schemas import CodeIn
    from qr_events.codes.service import CodeService
    from qr_events.codes.view import CodeView
    from qr_events.database import schema

    database = ServiceDatabase(schema(), env["QR_EVENTS_DATABASE_URL"])
    database.migrate()
    codes = CodeService(database.sessions, Destinations("http://127.0.0.1:8001/request-help",
                                                        ("camden.gov.uk",)),
                        ShortLinks("http://127.0.0.1"), CodeView(), {"E05000139"})
    body = CodeIn.model_validate({"destination": {"kind": "intake_form"},
                                  "touchpoint": "poster", "ward": "E05000139",
                                  "campaign": "bench", "print_batch": "bench-001"})
    staff = Principal("staff.bench", Role.STAFF)
    made = [codes.create(body, staff).code for _ in range(count)]
    database.dispose()
    return made


def _settled(url: str, timeout_s: float = 120) -> None:
    """Start-up work done (the outbox published, the view current), so the figures are
    the steady state: 10,000 new codes mean 10,000 events to relay and read back."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url + "/metrics", timeout=5) as answer:
            metrics = answer.read().decode()
        if "civic_qr_events_outbox_backlog 0.0" in metrics:
            return
        time.sleep(0.5)
    raise RuntimeError("the outbox never drained")


def _service(env: dict[str, str], paths: list[str], *, separate_relay: bool,
             broker: EmbeddedBroker | None = None) -> dict[str, Any]:
    env = {**env, "QR_EVENTS_RUN_RELAY": "false" if separate_relay else "true"}
    relay = None
    if separate_relay:
        relay = subprocess.Popen([sys.executable, "-m", "qr_events", "relay"],
                                 env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    server = Server("qr_events.app:create_app", free_port(), env, factory=True)
    try:
        server.wait("/healthz")
        _settled(server.url)
        processes = {"service": server.process.pid}
        if relay is not None:
            processes["relay"] = relay.pid
        if broker is not None:
            broker.stop()  # the service is up and has met the broker; now it's gone
        return _measure(server.url, paths, processes)
    finally:
        server.stop()
        if relay is not None:
            relay.terminate()
            relay.wait(10)


def images() -> dict[str, float]:
    from qr_events.images import poster, rendering

    url = "https://qr.camden.gov.uk/q/CAMDENW?via=qr"
    colours = rendering.Colours()
    timings = {}
    for name, draw in (("svg", lambda: rendering.svg(url, size_mm=60, colours=colours)),
                       ("png", lambda: rendering.png(url, size_mm=60, dpi=300,
                                                     colours=colours)),
                       ("pdf", lambda: poster.poster(url, url.split("://")[1].split("?")[0],
                                                     council_name="London Borough of Camden",
                                                     paper=poster.Paper.A4, colours=colours))):
        draw()
        runs = 20
        started = time.perf_counter()
        for _ in range(runs):
            draw()
        timings[name] = (time.perf_counter() - started) / runs * 1000
    return timings


def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    bare = Server("benchmarks.bare_redirect:app", free_port())
    try:
        bare.wait("/docs")
        results["bare"] = _measure(bare.url, ["/q/CAMDENW"], {"service": bare.process.pid})
    finally:
        bare.stop()
    with tempfile.TemporaryDirectory() as tmp:
        for scenario, count, stop_broker, separate in (
                ("relay_in_process", 1, False, False), ("broker_up", 1, False, True),
                ("broker_down", 1, True, True), ("codes_10000", 10_000, False, True)):
            broker = EmbeddedBroker().start()
            TopicRegistry.load().apply(broker.bootstrap_servers)
            env = {"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
                   "QR_EVENTS_LOG_LEVEL": "WARNING",
                   "QR_EVENTS_DATABASE_URL": f"sqlite:///{Path(tmp) / scenario}.db"}
            try:
                paths = [f"/q/{code}" for code in _make_codes(env, count)]
                results[scenario] = _service(env, paths, separate_relay=separate,
                                             broker=broker if stop_broker else None)
            finally:
                broker.stop()
            results[scenario]["codes"] = count
            results[scenario]["ratio"] = (results[scenario]["max"]["rps"]
                                          / results["bare"]["max"]["rps"])
    results["images_ms"] = images()
    return results
