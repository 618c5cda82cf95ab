"""The skeleton every service's HTTP app is built on.

``create_service_app`` gives each service the same problems, body limit, metrics,
health and readiness, broker and topics, version and build information; a service's
own ``app.py`` adds only its routers, its container and its lifespan work.

Start-up order: the broker is resolved (the embedded one in development when none is
configured), topics are applied, then the service's own lifespan work runs with the
broker's address. Shutdown runs in reverse: the service's work stops first, then the
embedded broker, then the database's connections are closed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.staticfiles import StaticFiles

from civic.db import ServiceDatabase
from civic.http import health, metrics, problems
from civic.http.auth import ApiKeyStore
from civic.http.limits import BodySizeLimit
from civic.identity import ServiceIdentity
from civic.kafka.bootstrap import apply_topics_in_background, resolve_broker
from civic.kafka.topics import TopicRegistry
from civic.observability import gauge, metric_prefix
from civic.settings import ServiceSettings


@dataclass
class Broker:
    """Where the service's Kafka is; set before the service's lifespan work starts."""

    servers: str = ""


# The service's own start-up and shutdown, given the broker: an async context manager.
LifespanWork = Callable[[Broker], AbstractAsyncContextManager[None]]


def from_container(attribute: str) -> Callable[[Request], Any]:
    """A FastAPI dependency that hands an endpoint one attribute of the service's
    container: ``Cases = Annotated[CaseService, Depends(from_container("cases"))]``."""

    # async: FastAPI runs a plain function dependency in a worker thread, a hop that
    # cost intake's hot path measurably; a lookup needs no thread.
    async def dependency(request: Request) -> Any:
        return getattr(request.app.state.container, attribute)

    dependency.__name__ = f"container_{attribute}"
    return dependency


def create_service_app(
    identity: ServiceIdentity,
    settings: ServiceSettings,
    *,
    container: Any,
    routers: Sequence[APIRouter],
    database: ServiceDatabase | None = None,
    api_keys: ApiKeyStore | None = None,
    lifespan: LifespanWork | None = None,
    topics_before_start: bool = False,
    static: tuple[str, Path] | None = None,
) -> FastAPI:
    """``container`` holds the service's services; its ``dependencies.py`` hands them to
    endpoints. ``topics_before_start``: wait for the topics to exist (a faust app needs
    them) rather than creating them in the background (an outbox keeps events
    meanwhile)."""
    broker = Broker()

    @asynccontextmanager
    async def run(_app: FastAPI) -> AsyncIterator[None]:
        embedded = None
        try:
            servers, embedded = await anyio.to_thread.run_sync(resolve_broker, settings)
            broker.servers = servers
            if embedded is None and settings.apply_topics:
                if topics_before_start:
                    await anyio.to_thread.run_sync(TopicRegistry.load().apply, servers)
                else:
                    apply_topics_in_background(servers)
            if lifespan is None:
                yield
            else:
                async with lifespan(broker):
                    yield
        finally:
            # off the event loop: a probe in flight holds its lock for up to seconds
            await anyio.to_thread.run_sync(broker_probe.close)
            if embedded is not None:
                embedded.stop()
            if database is not None:
                database.dispose()

    app = FastAPI(title=identity.title, version=identity.version, summary=identity.summary,
                  description=identity.description, lifespan=run)
    app.state.settings = settings
    app.state.container = container
    app.state.broker = broker
    broker_probe = health.broker_check(lambda: broker.servers)
    checks: dict[str, health.Check] = {"broker": broker_probe}
    if database is not None:
        # civic.http.auth's role checks read the service's keys from here
        app.state.api_keys = api_keys or ApiKeyStore(database.engine)
        checks = {"database": health.database_check(database.engine), **checks}
    problems.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    metrics.install(app, identity.name)
    health.install(app, checks)
    build_info = gauge(f"{metric_prefix(identity.name)}_build_info",
                       "Always 1; the running version is in the label.", ["version"])
    build_info.labels(identity.version).set(1)
    for router in routers:
        app.include_router(router)
    if static is not None:
        path, directory = static
        app.mount(path, StaticFiles(directory=directory), name="static")
    return app
