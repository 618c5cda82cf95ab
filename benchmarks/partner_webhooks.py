"""Partner notifications' webhook delivery: one DeliveryWorker wired as the app wires it
(its settings' defaults: 4 attempts in flight per endpoint, batches of 50) sending signed
webhooks to a receiver in another process, each figure against a baseline from the same
run. The outbox relay that would publish the worker's events does not run here.

1. Throughput: draining ``BENCH_WEBHOOKS_N`` pending deliveries over 20 subscriptions on
   SQLite (and on PostgreSQL if it answers at 127.0.0.1:5432, in a database made for the
   run), against raw httpx.AsyncClient POSTs of bodies made the same way, at the worker's
   concurrency (20 x 4), through a pool with its limits; a delivery counts once its
   outcome is committed. N is 2,000, which at the 250-340/s measured here is several
   seconds per database, enough for a steady rate.
2. Isolation: deliveries made at half the SQLite throughput (or ``BENCH_WEBHOOKS_RATE``)
   for ``BENCH_WEBHOOKS_SECONDS``, to 20 healthy endpoints, then with one never answering
   (2 s total timeout) and one answering 500: healthy ones' creation-to-arrival latency.
3. Scale: ``BENCH_WEBHOOKS_BACKLOG`` (100,000) retries due for one endpoint: the SQLite
   file's size, a worker's drain rate and RSS growth, in a process of its own. At the
   ~160/s seen, 100,000 would take over ten minutes, so the drain stops after
   ``BENCH_WEBHOOKS_DRAIN_S`` (30 s): the rest is reported as left, not extrapolated."""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

import anyio
import httpx
from sqlalchemy import func, select

from benchmarks import partner_webhooks_setup as setup
from benchmarks.common import Server
from civic.db import ServiceDatabase
from civic.kafka.broker import free_port
from civic.outbox import outbox
from partner_notifications.deliveries.models import Delivery, DeliveryAttempt
from partner_notifications.sending import egress

N = int(os.environ.get("BENCH_WEBHOOKS_N", "2000"))
BACKLOG = int(os.environ.get("BENCH_WEBHOOKS_BACKLOG", "100000"))
DRAIN_S = float(os.environ.get("BENCH_WEBHOOKS_DRAIN_S", "30"))
RATE = float(os.environ.get("BENCH_WEBHOOKS_RATE", "0"))  # 0: half the measured throughput
SECONDS = float(os.environ.get("BENCH_WEBHOOKS_SECONDS", "10"))
POSTGRES = os.environ.get("BENCH_WEBHOOKS_POSTGRES", setup.LOCAL_POSTGRES)
SUBSCRIPTIONS, WARMUP = 20, 200
CONCURRENCY = SUBSCRIPTIONS * setup.DEFAULTS["per_endpoint_concurrency"]


def _stats(url: str) -> dict[str, Any]:
    return httpx.get(f"{url}/stats", timeout=60).json()  # type: ignore[no-any-return]


async def _raw_posts(urls: list[str], bodies: list[str]) -> float:
    """The same bodies, unsigned, from as many lanes as the worker has attempts in
    flight; seconds for all of them, after a warm-up that opens the connections."""
    limits = httpx.Limits(max_connections=egress.MAX_CONNECTIONS,
                          max_keepalive_connections=egress.KEEPALIVE_CONNECTIONS,
                          keepalive_expiry=egress.KEEPALIVE_EXPIRY_S)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:
        async def lane(numbers: Iterator[int]) -> None:
            for i in numbers:  # one iterator shared by every lane: a queue
                answer = await client.post(urls[i % len(urls)], content=bodies[i].encode(),
                                           headers={"content-type": "application/json",
                                                    "webhook-id": f"raw_{i}"})
                assert answer.status_code == 204, answer.status_code

        async def send_all(count: int) -> float:
            numbers = iter(range(count))
            started = time.perf_counter()
            async with anyio.create_task_group() as lanes:
                for _ in range(CONCURRENCY):
                    lanes.start_soon(lane, numbers)
            return time.perf_counter() - started

        await send_all(min(WARMUP, len(bodies)))
        return await send_all(len(bodies))


def _worker_drain(database: ServiceDatabase, url: str, count: int,
                  raw: dict[str, Any]) -> dict[str, Any]:
    subs = setup.subscriptions(database, [f"{url}/ok/{i}" for i in range(SUBSCRIPTIONS)])
    rng = Random(11)
    with setup.RunningWorker(database) as running:
        setup.pending(database, subs, WARMUP, rng=rng)  # connections and caches warm
        running.worker.notify()
        assert running.recorder.wait_delivered(WARMUP, 120), "the warm-up never finished"
        httpx.post(f"{url}/reset")
        setup.pending(database, subs, count, rng=rng)
        started = time.perf_counter()
        running.worker.notify()
        done = running.recorder.wait_delivered(WARMUP + count, max(120, count / 10))
        seconds = time.perf_counter() - started
    rows = _counts(database)
    assert done, f"{running.recorder.delivered - WARMUP} of {count} delivered: {rows}"
    return {"deliveries": count, "seconds": seconds, "deliveries_per_s": count / seconds,
            "ratio": count / seconds / raw["deliveries_per_s"], "receiver_count": _stats(url)["ok"],
            "delivered_rows": rows["delivered"] - WARMUP,
            "failed_attempts": running.recorder.failed, "outbox_rows": rows["outbox"]}


def _counts(database: ServiceDatabase) -> dict[str, int]:
    """Deliveries by status, attempts, and outbox rows (events for partners.deliveries)."""
    with database.engine.connect() as conn:
        found = {status: n for status, n in conn.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status))}
        for name, table in (("attempts", DeliveryAttempt.__table__), ("outbox", outbox)):
            found[name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
    return found


def _isolation_run(database: ServiceDatabase, url: str, kinds: list[str], rate: float,
                   seconds: float) -> dict[str, Any]:
    """Deliveries made on a schedule from this thread (in the app: the consumer's)."""
    subs = setup.subscriptions(database, [f"{url}/{k}/{i}" for i, k in enumerate(kinds)])
    made: dict[str, tuple[float, int]] = {}
    rng = Random(13)
    httpx.post(f"{url}/reset")
    with setup.RunningWorker(database, total_timeout_s=2.0) as running:
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            if (due := int(rate * elapsed) - len(made)) > 0:
                made |= setup.pending(database, subs, due, rng=rng, offset=len(made))
                running.worker.notify()
            time.sleep(0.01)
        healthy = [w for w, (_, sub) in made.items() if kinds[sub] == "ok"]
        done = running.recorder.wait_delivered(len(healthy), 120)
    assert done, f"{running.recorder.delivered} of {len(healthy)} healthy deliveries arrived"
    arrivals = (got := _stats(url)).pop("arrivals")
    latencies = sorted((arrivals[w] - made[w][0]) * 1000 for w in healthy if w in arrivals)
    p50, p99 = (latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies
                else 0.0 for p in (0.5, 0.99))
    return {"made": len(made), "healthy": len(healthy), "arrived": len(latencies),
            "p50_ms": p50, "p99_ms": p99, "max_ms": max(latencies, default=0.0),
            "failed_attempts": running.recorder.failed, "receiver_counts": got}


def _scale(database: ServiceDatabase, url: str, backlog: int, budget_s: float) -> dict[str, Any]:
    path = Path(database.engine.url.database or "")
    subs = setup.subscriptions(database, [f"{url}/ok/0"])
    started = time.perf_counter()
    setup.pending(database, subs, backlog, rng=Random(17), failed_before=True,
                  due=datetime.now(UTC) - timedelta(hours=1))
    insert_s = time.perf_counter() - started

    def size_mb() -> float:  # checkpointed, so the WAL's pages are in the file
        with database.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return path.stat().st_size / 1e6

    size_before = size_mb()
    httpx.post(f"{url}/reset")
    # The worker in a fresh process: this one's heap, grown by the rows made above and
    # the runs before, would be reused and hide what the worker needs.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        got = child.submit(setup.drain, database.url, backlog, budget_s).result()
    return {"backlog": backlog, "insert_s": insert_s, "db_mb_before": size_before,
            "db_mb_after": size_mb(), **got, "drained_all": got["drained"] >= backlog,
            "budget_s": budget_s, "deliveries_per_s": got["drained"] / got["seconds"],
            "receiver_count": _stats(url)["ok"],
            "left_pending": _counts(database).get("pending", 0)}


def run(deliveries: int = N, backlog: int = BACKLOG, rate: float = RATE,
        seconds: float = SECONDS, drain_s: float = DRAIN_S,
        postgres: bool = True) -> dict[str, Any]:
    results: dict[str, Any] = {"subscriptions": SUBSCRIPTIONS, "concurrency": CONCURRENCY}
    receiver = Server("benchmarks.partner_webhooks_setup:receiver", free_port(),
                      env={"PYTHONPATH": str(setup.ROOT)})
    try:
        receiver.wait("/stats")
        url = receiver.url
        bodies = [setup.case_body(Random(i), datetime.now(UTC)) for i in range(deliveries)]
        urls = [f"{url}/ok/{i}" for i in range(SUBSCRIPTIONS)]
        with ThreadPoolExecutor(1) as thread:  # pytest may leave a loop marked on this one
            raw_s = thread.submit(lambda: anyio.run(_raw_posts, urls, bodies, backend_options={
                "use_uvloop": True})).result()
        flows: dict[str, Any] = {"raw": {
            "deliveries": deliveries, "seconds": raw_s, "deliveries_per_s": deliveries / raw_s,
            "receiver_count": _stats(url)["ok"] - min(WARMUP, deliveries)}}
        with tempfile.TemporaryDirectory() as tmp:
            with setup.database_at(f"sqlite:///{tmp}/flow.db") as database:
                flows["sqlite"] = _worker_drain(database, url, deliveries, flows["raw"])
            with (setup.fresh_postgres(POSTGRES) if postgres else nullcontext()) as db_url:
                if db_url is not None:
                    with setup.database_at(db_url) as database:
                        flows["postgresql"] = _worker_drain(database, url, deliveries,
                                                            flows["raw"])
            results["throughput"] = flows
            rate = rate or flows["sqlite"]["deliveries_per_s"] / 2
            runs = {}
            for name, kinds in (("all_healthy", ["ok"] * SUBSCRIPTIONS),
                                ("with_failing", ["hang", "fail"] + ["ok"] * (SUBSCRIPTIONS - 2))):
                with setup.database_at(f"sqlite:///{tmp}/{name}.db") as database:
                    runs[name] = _isolation_run(database, url, kinds, rate, seconds)
            results["isolation"] = {"rate": rate, "seconds": seconds, **runs, "p99_ratio": (
                runs["with_failing"]["p99_ms"] / max(runs["all_healthy"]["p99_ms"], 1e-9))}
            with setup.database_at(f"sqlite:///{tmp}/scale.db") as database:
                results["scale"] = _scale(database, url, backlog, drain_s)
    finally:
        receiver.process.kill()  # a stop would wait for the hanging endpoint's requests
        receiver.process.wait()
    return results


def report(results: dict[str, Any]) -> None:
    flows = results["throughput"]
    raw = flows["raw"]
    print(f"Partner webhooks, one delivery worker vs raw httpx ({raw['deliveries']:,} "
          f"deliveries, {results['subscriptions']} endpoints, {results['concurrency']} in flight)")
    print(f"  raw httpx               {raw['deliveries_per_s']:7.0f} deliveries/s "
          f"({raw['seconds']:.1f} s)")
    for backend, got in ((b, flows[b]) for b in ("sqlite", "postgresql") if b in flows):
        print(f"  worker, {backend:<15} {got['deliveries_per_s']:7.0f} deliveries/s "
              f"({got['seconds']:.1f} s, receiver got {got['receiver_count']:,})   "
              f"ratio {got['ratio']:.2f}  (target >= 0.6: {_met(got['ratio'] >= 0.6)}; "
              f">= 1,000/s: {_met(got['deliveries_per_s'] >= 1000)})")
    if raw["deliveries_per_s"] < 1000:
        print("  (raw httpx itself stays under 1,000/s on this machine: the absolute target "
              "needs a faster machine or client, whatever the worker does)")
    iso = results["isolation"]
    print(f"  isolation: {iso['rate']:.0f} deliveries/s made for {iso['seconds']:.0f} s; "
          "healthy endpoints' creation-to-arrival latency")
    for name, label in (("all_healthy", "all 20 healthy"), ("with_failing", "1 hangs, 1 500s")):
        got = iso[name]
        print(f"    {label:<20} p50 {got['p50_ms']:6.1f} ms   p99 {got['p99_ms']:6.1f} ms   "
              f"max {got['max_ms']:6.1f} ms   ({got['arrived']:,} of {got['healthy']:,}; "
              f"{got['failed_attempts']} failed attempts)")
    print(f"    p99 ratio {iso['p99_ratio']:.2f}  (target <= 2: {_met(iso['p99_ratio'] <= 2)})")
    sc = results["scale"]
    print(f"  {sc['backlog']:,} retries due for one endpoint, SQLite: file "
          f"{sc['db_mb_before']:.0f} MB ({sc['db_mb_after']:.0f} MB after); worker process "
          f"RSS {sc['rss_mb_before']:.0f} MB, {sc['rss_growth_mb']:+.1f} MB at the drain's peak")
    left = ("all of them" if sc["drained_all"] else f"stopped at the {sc['budget_s']:.0f} s "
            f"budget with {sc['left_pending']:,} still pending: not extrapolated")
    print(f"    worker drained {sc['drained']:,} in {sc['seconds']:.1f} s, "
          f"{sc['deliveries_per_s']:.0f} deliveries/s ({left})\n", flush=True)


def _met(met: bool) -> str:
    return "met" if met else "missed"


if __name__ == "__main__":
    report(figures := run())
    print(json.dumps(figures, indent=1))
