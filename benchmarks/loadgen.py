"""A small HTTP load generator (aiohttp, keep-alive), run in its own process so it does
not share the server's interpreter.

closed loop: N workers send back to back for a duration; gives the maximum throughput.
open loop: requests start on a fixed schedule; latency is measured from the scheduled
start, so a slow server cannot hide its queueing (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from typing import Any

import aiohttp


def _summary(latencies: list[float], errors: int, elapsed: float) -> dict[str, Any]:
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {"requests": len(latencies), "errors": errors, "seconds": elapsed,
            "rps": len(latencies) / elapsed if elapsed else 0.0,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "mean_ms": statistics.fmean(latencies) * 1000 if latencies else 0}


async def _post(session: aiohttp.ClientSession, url: str, body: bytes,
                headers: dict[str, str]) -> bool:
    async with session.post(url, data=body, headers=headers) as response:
        await response.read()
        return response.status == 201


async def _get(session: aiohttp.ClientSession, url: str, _body: bytes,
               headers: dict[str, str]) -> bool:
    """A redirect is the answer wanted: never follow it."""
    async with session.get(url, headers=headers, allow_redirects=False) as response:
        await response.read()
        return response.status == 302


# POST the same URL by default; GET cycles through spec["paths"] (set in main).
send = _post
target = lambda url, _i: url  # noqa: E731


async def closed_loop(url: str, bodies: list[bytes], headers: dict[str, str],
                      concurrency: int, seconds: float, warmup: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        stop_warm = time.perf_counter() + warmup
        stop = stop_warm + seconds

        async def worker(offset: int) -> None:
            nonlocal errors
            i = offset
            while (now := time.perf_counter()) < stop:
                ok = await send(session, target(url, i), bodies[i % len(bodies)], headers)
                i += concurrency
                if now >= stop_warm:
                    if ok:
                        latencies.append(time.perf_counter() - now)
                    else:
                        errors += 1

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return _summary(latencies, errors, seconds)


async def open_loop(url: str, bodies: list[bytes], headers: dict[str, str], rate: float,
                    seconds: float, warmup: float) -> dict[str, Any]:
    """Each request is started when it falls due, not created up front: 18,000 tasks
    made before the first one ran were themselves a quarter-second stall at the start,
    which landed in every server's p99 (the bare redirect's included)."""
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=512)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        measured_from = start + warmup
        total = int(rate * (warmup + seconds))
        running: set[asyncio.Task[None]] = set()

        async def one(i: int, scheduled: float) -> None:
            nonlocal errors
            try:
                ok = await send(session, target(url, i), bodies[i % len(bodies)], headers)
            except (TimeoutError, aiohttp.ClientError):
                ok = False  # counted, never lost: a refused request is an error
            if scheduled < measured_from:
                return
            if ok:
                latencies.append(time.perf_counter() - scheduled)
            else:
                errors += 1

        for i in range(total):
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(one(i, scheduled))
            running.add(task)
            task.add_done_callback(running.discard)
        await asyncio.gather(*running)
        elapsed = max(time.perf_counter() - measured_from, seconds)
    return _summary(latencies, errors, elapsed)


def main() -> None:
    global send, target
    spec = json.loads(sys.stdin.read())
    bodies = [b.encode() for b in spec.get("bodies") or [""]]
    if spec.get("method") == "GET":
        paths = spec["paths"]
        send = _get
        target = lambda base, i: base + paths[i % len(paths)]  # noqa: E731
    if spec["mode"] == "closed":
        result = asyncio.run(closed_loop(spec["url"], bodies, spec["headers"],
                                         spec["concurrency"], spec["seconds"], spec["warmup"]))
    else:
        result = asyncio.run(open_loop(spec["url"], bodies, spec["headers"], spec["rate"],
                                       spec["seconds"], spec["warmup"]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
