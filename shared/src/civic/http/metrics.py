"""Request metrics by route template (never by raw path, which would carry ids)."""

from __future__ import annotations

import time

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civic.observability import counter, histogram, metric_prefix

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class RequestMetrics:
    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        p = metric_prefix(service)
        self.latency = histogram(f"{p}_http_request_duration_seconds",
                                 "HTTP request latency by route template.",
                                 ["method", "route", "status"], buckets=LATENCY_BUCKETS)
        self.requests = counter(f"{p}_http_requests_total", "HTTP requests by route template.",
                                ["method", "route", "status"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = _route_template(scope)
            labels = (scope["method"], route, str(status))
            self.latency.labels(*labels).observe(time.perf_counter() - start)
            self.requests.labels(*labels).inc()


def _route_template(scope: Scope) -> str:
    # the router leaves the route it matched in the scope; no second matching pass
    return str(getattr(scope.get("route"), "path", "unmatched"))


def install(app: FastAPI, service: str) -> None:
    app.add_middleware(RequestMetrics, service=service)

    @app.get("/metrics", include_in_schema=False)
    def metrics(_request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
