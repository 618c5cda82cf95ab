"""The open-loop load generator against a real local HTTP server: the warm-up's
requests are sent but left out of the figures, and a request the server drops is counted
as an error rather than lost.

Mutations seen to fail: counting warm-up requests in the figures, and letting a dropped
connection's exception escape uncounted."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from aiohttp import web

from benchmarks import loadgen

RATE, WARMUP, SECONDS = 200.0, 0.25, 0.5


async def _serve(seen: list[str]) -> tuple[web.AppRunner, str]:
    async def redirect(request: web.Request) -> web.StreamResponse:
        seen.append(request.path)
        if request.path == "/q/drop":
            assert request.transport is not None
            request.transport.close()  # the client sees the connection go away
            raise asyncio.CancelledError
        return web.Response(status=302, headers={"Location": "/elsewhere"})

    app = web.Application()
    app.router.add_get("/q/{code}", redirect)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


def _run(monkeypatch: pytest.MonkeyPatch, paths: list[str]) -> tuple[dict[str, Any], list[str]]:
    monkeypatch.setattr(loadgen, "send", loadgen._get)
    monkeypatch.setattr(loadgen, "target", lambda base, i: base + paths[i % len(paths)])
    seen: list[str] = []

    async def scenario() -> dict[str, Any]:
        runner, url = await _serve(seen)
        try:
            return await loadgen.open_loop(url, [b""], {}, RATE, SECONDS, WARMUP)
        finally:
            await runner.cleanup()

    # On a thread of its own: an earlier test in a full run can leave this thread marked
    # as running an event loop, and asyncio.run refuses then.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, scenario()).result(), seen


def test_the_warm_up_is_sent_but_not_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    result, seen = _run(monkeypatch, ["/q/camdenw"])
    assert len(seen) == int(RATE * (WARMUP + SECONDS))  # 150 sent
    assert result["requests"] == int(RATE * SECONDS)  # 100 measured
    assert result["errors"] == 0


def test_a_dropped_request_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    result, seen = _run(monkeypatch, ["/q/camdenw", "/q/drop"])
    # aiohttp tries a GET again once when a reused connection drops, so only the good
    # path's count is exact at the server
    assert seen.count("/q/camdenw") == int(RATE * (WARMUP + SECONDS)) // 2
    assert result["requests"] + result["errors"] == int(RATE * SECONDS)
    assert result["errors"] == int(RATE * SECONDS) // 2
