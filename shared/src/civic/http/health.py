"""Liveness and readiness. /healthz: the process answers. /readyz: each dependency
the service needs (database, broker) answered just now."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

Check = Callable[[], None]


def install(app: FastAPI, checks: dict[str, Check]) -> None:
    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Database and broker are reachable",
             responses={503: {"description": "A dependency is not reachable"}})
    def readyz() -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:
                results[name] = f"unavailable: {type(exc).__name__}"
        ready = all(v == "ok" for v in results.values())
        return JSONResponse({"status": "ready" if ready else "not ready", "checks": results},
                            status_code=200 if ready else 503)


def broker_check(bootstrap_servers: str) -> Check:
    def check() -> None:
        from kafka import KafkaAdminClient

        # a probe must answer within its own timeout, not kafka-python's 30 s bootstrap
        admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=2000,
                                 bootstrap_timeout_ms=2000, client_id="civic-readyz")
        try:
            admin.list_topics()
        finally:
            admin.close()
    return check


def database_check(engine: Engine) -> Check:
    def check() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    return check
