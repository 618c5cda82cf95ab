"""civic.http.app: the skeleton every service is built on, with a made-up service: a
real database, the real embedded broker and the service's own lifespan work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from sqlalchemy import MetaData

import civic.db
from civic.db import DatabaseSchema, ServiceDatabase
from civic.errors import Conflict, Unavailable
from civic.http.app import Broker, create_service_app, from_container
from civic.identity import ServiceIdentity
from civic.settings import ServiceSettings

IDENTITY = ServiceIdentity(name="skeleton_test", title="Skeleton", version="9.8.7",
                           event_source="urn:civic:skeleton-test")


@dataclass
class Container:
    greeting: str


router = APIRouter(prefix="/v1")
Greeting = Annotated[str, Depends(from_container("greeting"))]


@router.get("/greeting")
def greet(greeting: Greeting) -> dict[str, str]:
    return {"greeting": greeting}


@router.post("/refused")
def refused() -> None:
    raise Conflict("Already done", "This was done before.", slug="already-done")


@router.post("/busy")
def busy() -> None:
    raise Unavailable("Busy", "Try again soon.", slug="busy", retry_after_s=7)


def _database(url: str, tmp_path: Path) -> ServiceDatabase:
    migrations = tmp_path / "migrations"
    (migrations / "versions").mkdir(parents=True)
    (migrations / "env.py").write_text(
        "from civic.db import DatabaseSchema, run_alembic_env, metadata\n"
        "from pathlib import Path\n"
        "run_alembic_env(DatabaseSchema('skeleton_test', Path(__file__).parent, "
        "[metadata]), '')\n")
    (migrations / "script.py.mako").write_text("")
    schema = DatabaseSchema("skeleton_test", migrations, [civic.db.metadata, MetaData()])
    database = ServiceDatabase(schema, url)
    database.migrate()
    civic.db.metadata.create_all(database.engine)
    return database


@pytest.mark.broker
def test_the_factory_gives_a_service_its_skeleton_and_runs_its_work_inside(
        database_url: str, tmp_path: Path, kafka_bootstrap: str) -> None:
    """Seen to fail with the broker's address not set before the service's lifespan work
    ran, and with the domain-error mapping left out (500s)."""
    database = _database(database_url, tmp_path)
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(broker: Broker) -> AsyncIterator[None]:
        events.append(f"started with {broker.servers}")
        yield
        events.append("stopped")

    settings = ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap, apply_topics=False)
    app = create_service_app(IDENTITY, settings, container=Container("hello"),
                             database=database, routers=[router], lifespan=lifespan)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert events == [f"started with {kafka_bootstrap}"]
        assert client.get("/v1/greeting").json() == {"greeting": "hello"}
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert set(ready.json()["checks"]) == {"database", "broker"}
        conflict = client.post("/v1/refused")
        assert conflict.status_code == 409
        assert conflict.headers["content-type"] == "application/problem+json"
        assert conflict.json()["type"].endswith("/problems/already-done")
        assert conflict.json()["detail"] == "This was done before."
        busy = client.post("/v1/busy")
        assert busy.status_code == 503 and busy.headers["retry-after"] == "7"
        too_big = client.post("/v1/refused", content=b"x" * (settings.max_body_bytes + 1))
        assert too_big.status_code == 413
        metrics = client.get("/metrics").text
        assert 'civic_skeleton_test_build_info{version="9.8.7"} 1.0' in metrics
        assert 'route="/v1/greeting"' in metrics
        assert app.title == "Skeleton" and app.version == "9.8.7"
        assert app.state.api_keys is not None
    assert events[-1] == "stopped"
