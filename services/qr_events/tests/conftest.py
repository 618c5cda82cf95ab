from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from civic.http.auth import DEV_KEYS
from civic_testing import ServiceProcess
from qr_events.settings import Settings

STAFF = {"Authorization": f"Bearer {DEV_KEYS['staff.demo'][1]}"}
PARTNER = {"Authorization": f"Bearer {DEV_KEYS['partner.demo-foodbank'][1]}"}
KENTISH_TOWN = "E05000139"


def code_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"destination": {"kind": "intake_form"}, "touchpoint": "poster",
                            "venue_name": "Kentish Town Library", "ward": KENTISH_TOWN,
                            "campaign": "winter-2026", "print_batch": "libraries-001"}
    body.update(overrides)
    return body


@pytest.fixture
def body() -> Callable[..., dict[str, Any]]:
    """A factory for a valid code body, with top-level fields overridden."""
    return code_body


@pytest.fixture
def staff() -> dict[str, str]:
    return STAFF


@pytest.fixture
def partner() -> dict[str, str]:
    return PARTNER


@pytest.fixture
def settings(database_url: str) -> Settings:
    # No relay, no consumers and an unreachable broker: API tests use the database only.
    return Settings(database_url=database_url, kafka_bootstrap_servers="127.0.0.1:9",
                    apply_topics=False, run_relay=False, run_consumers=False,
                    public_base_url="https://qr.camden.example",
                    scan_flush_interval_s=0.05, tune_gc=False)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from civic.http.auth import ensure_dev_keys
    from qr_events.app import create_app

    app = create_app(settings)

    ensure_dev_keys(app.state.container.database.engine)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def make_code(client: TestClient) -> Callable[..., dict[str, Any]]:
    def make(**overrides: Any) -> dict[str, Any]:
        response = client.post("/v1/codes", json=code_body(**overrides), headers=STAFF)
        assert response.status_code == 201, response.text
        return dict(response.json())
    return make


class Worker(ServiceProcess):
    """`python -m qr_events serve` in its own process (what a test can kill -9)."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        super().__init__("qr_events", env, port)


@pytest.fixture
def start_worker() -> Iterator[Callable[..., Worker]]:
    from civic.kafka.broker import free_port

    workers: list[Worker] = []

    def start(env: dict[str, str]) -> Worker:
        worker = Worker(env, free_port())
        workers.append(worker)
        worker.wait_ready()
        return worker
    yield start
    for worker in workers:
        worker.stop()
