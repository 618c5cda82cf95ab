"""civic.http.health: /healthz answers while the process lives; /readyz is 200 only when
every dependency answered just now, checked against a real database and real sockets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine

from civic.db import make_engine
from civic.http import health
from civic.kafka.broker import free_port


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _client(checks: dict[str, health.Check]) -> TestClient:
    app = FastAPI()
    health.install(app, checks)
    return TestClient(app)


def test_ready_when_the_database_answers(engine):
    with _client({"database": health.database_check(engine)}) as client:
        live = client.get("/healthz")
        assert live.status_code == 200 and live.json() == {"status": "ok"}
        ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok"}}


def test_not_ready_when_one_dependency_does_not_answer_and_alive_all_the_same(engine):
    """Mutation seen failing: readyz computing ``ready`` with ``any`` instead of ``all``."""
    closed = free_port()  # nothing listens here
    checks = {"database": health.database_check(engine),
              "broker": health.broker_check(f"127.0.0.1:{closed}")}
    with _client(checks) as client:
        ready = client.get("/readyz")
        assert client.get("/healthz").status_code == 200
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("unavailable: ")
    # the reason names the kind of failure only, not addresses or messages
    assert str(closed) not in ready.text


def test_an_unreachable_database_is_reported_by_kind_without_its_url():
    password = "pw-never-shown"
    dead = create_engine(f"postgresql+psycopg://civic:{password}@127.0.0.1:{free_port()}/x")
    try:
        with _client({"database": health.database_check(dead)}) as client:
            ready = client.get("/readyz")
    finally:
        dead.dispose()
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "unavailable: OperationalError"}
    assert password not in ready.text


@pytest.mark.broker
def test_ready_when_the_broker_answers(kafka_bootstrap):
    with _client({"broker": health.broker_check(kafka_bootstrap)}) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"broker": "ok"}}


def test_readiness_is_cached_for_a_second_so_probes_do_not_pile_up_on_dependencies():
    """Seen to fail with the cache taken out (every probe ran every check)."""
    calls: list[float] = []
    now = [100.0]
    app = FastAPI()
    health.install(app, {"counted": lambda: calls.append(now[0])}, clock=lambda: now[0])
    with TestClient(app) as client:
        for _ in range(5):
            assert client.get("/readyz").status_code == 200
        now[0] += 0.5
        client.get("/readyz")
        assert len(calls) == 1
        now[0] += 0.6  # past the second
        client.get("/readyz")
        assert len(calls) == 2


@pytest.mark.broker
def test_the_broker_probe_keeps_one_admin_client(kafka_bootstrap, monkeypatch):
    """Seen to fail when the probe built an admin client per call (3 made, not 1)."""
    made: list[object] = []

    class Counted(health.KafkaAdminClient):  # type: ignore[misc]
        def __init__(self, **config: object) -> None:
            made.append(self)
            super().__init__(**config)

    monkeypatch.setattr(health, "KafkaAdminClient", Counted)
    probe = health.broker_check(kafka_bootstrap)
    try:
        for _ in range(3):
            probe()
    finally:
        probe.close()
    assert len(made) == 1
