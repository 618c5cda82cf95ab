"""The service runs: health, readiness and metrics answer, and its OpenAPI says what it
is."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_health_and_metrics_answer(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "Partner notifications"
