"""The service runs: health, readiness and metrics answer, and its OpenAPI says what it
is. (It has no endpoints of its own yet; see the README.)"""

from __future__ import annotations

from fastapi.testclient import TestClient

from partner_notifications.app import create_app
from partner_notifications.settings import Settings


def test_health_and_metrics_answer() -> None:
    app = create_app(Settings(kafka_bootstrap_servers="127.0.0.1:9", apply_topics=False))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/metrics").status_code == 200
        assert client.get("/openapi.json").json()["info"]["title"] == "Partner notifications"
