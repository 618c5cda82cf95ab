"""Liveness and readiness. /healthz: the process answers. /readyz: each dependency
the service needs (database, broker) answered, within the last second.

Readiness is polled often (by Kubernetes, by load balancers, by people), so its answer
is cached for a second, and the broker probe keeps one admin client between calls
rather than opening a connection and a bootstrap round trip each time."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from kafka import KafkaAdminClient
from sqlalchemy import Engine, text

Check = Callable[[], None]


def install(app: FastAPI, checks: dict[str, Check], *, cache_seconds: float = 1.0,
            clock: Callable[[], float] = time.monotonic) -> None:
    guard = threading.Lock()
    cached: list[tuple[float, dict[str, str]]] = []

    def results() -> dict[str, str]:
        with guard:  # one round of checks at a time, however many probes arrive
            if cached and cached[0][0] > clock():
                return cached[0][1]
            found: dict[str, str] = {}
            for name, check in checks.items():
                try:
                    check()
                    found[name] = "ok"
                except Exception as exc:
                    found[name] = f"unavailable: {type(exc).__name__}"
            cached[:] = [(clock() + cache_seconds, found)]
            return found

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Database and broker are reachable",
             responses={503: {"description": "A dependency is not reachable"}})
    def readyz() -> JSONResponse:
        found = results()
        ready = all(v == "ok" for v in found.values())
        return JSONResponse({"status": "ready" if ready else "not ready", "checks": found},
                            status_code=200 if ready else 503)


class BrokerProbe:
    """Asks the broker for its topics with one admin client, kept between probes and
    made anew only after a failure."""

    def __init__(self, bootstrap_servers: str | Callable[[], str]) -> None:
        self._servers = bootstrap_servers
        self._admin: KafkaAdminClient | None = None
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            if self._admin is None:
                servers = self._servers if isinstance(self._servers, str) else self._servers()
                # a probe must answer within its own timeout, not kafka-python's 30 s
                self._admin = KafkaAdminClient(
                    bootstrap_servers=servers, request_timeout_ms=2000,
                    bootstrap_timeout_ms=2000, client_id="civic-readyz")
            try:
                self._admin.list_topics()
            except Exception:
                self._close()
                raise

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            with contextlib.suppress(Exception):  # a client that never connected may complain
                admin.close()


def broker_check(bootstrap_servers: str | Callable[[], str]) -> BrokerProbe:
    return BrokerProbe(bootstrap_servers)


def database_check(engine: Engine) -> Check:
    def check() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    return check
