from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from civic.http.auth import DEV_KEYS
from partner_notifications.settings import Settings

OPS = {"Authorization": f"Bearer {DEV_KEYS['ops.demo'][1]}"}
KENTISH_TOWN = "E05000139"


def partner_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id": "partner.kentish-town-foodbank",
                            "organisation": "Kentish Town Food Bank",
                            "contact": "coordinator@ktfb.example", "wards": [KENTISH_TOWN],
                            "categories": ["food"]}
    body.update(overrides)
    return body


@pytest.fixture
def body() -> Callable[..., dict[str, Any]]:
    return partner_body


@pytest.fixture
def ops() -> dict[str, str]:
    return OPS


@pytest.fixture
def settings(database_url: str) -> Settings:
    # No relay and an unreachable broker: API tests use the database (and its outbox) only.
    return Settings(database_url=database_url, kafka_bootstrap_servers="127.0.0.1:9",
                    apply_topics=False, run_relay=False)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from civic.http.auth import ensure_dev_keys
    from partner_notifications.app import create_app

    app = create_app(settings)
    ensure_dev_keys(app.state.container.database.engine)
    with TestClient(app) as test_client:
        yield test_client
