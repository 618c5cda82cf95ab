"""civic.http.metrics: request metrics are labelled with the route template, never with
the raw path (which carries case ids), and with the status actually sent."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from civic.http import metrics, problems


def _app(service: str) -> FastAPI:
    app = FastAPI()
    problems.install(app)
    metrics.install(app, service)
    router = APIRouter(prefix="/v1")

    @router.get("/cases/{case_id}")
    def case(case_id: str) -> dict[str, str]:
        return {"id": case_id}

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("unexpected")

    app.include_router(router)
    return app


def _requests(text: str, service: str) -> dict[tuple[str, str, str], float]:
    name = f"civic_{service}_http_requests"
    return {(s.labels["method"], s.labels["route"], s.labels["status"]): s.value
            for family in text_string_to_metric_families(text) if family.name == name
            for s in family.samples if s.name == name + "_total"}


def test_metrics_are_labelled_by_route_template_not_raw_path():
    """Mutation seen failing: ``_route_template`` returning ``scope["path"]``."""
    service = f"test_metrics_{uuid.uuid4().hex[:6]}"
    ids = [str(uuid.uuid4()) for _ in range(3)]
    with TestClient(_app(service), raise_server_exceptions=False) as client:
        for case_id in ids:
            assert client.get(f"/v1/cases/{case_id}").status_code == 200
        assert client.get("/v1/nowhere/secret-path-123").status_code == 404
        assert client.get("/v1/boom").status_code == 500
        exposition = client.get("/metrics")
    assert exposition.status_code == 200
    assert exposition.headers["content-type"].startswith("text/plain")
    text = exposition.text

    counts = _requests(text, service)
    assert counts[("GET", "/v1/cases/{case_id}", "200")] == 3
    assert counts[("GET", "unmatched", "404")] == 1
    assert counts[("GET", "/v1/boom", "500")] == 1
    for raw in [*ids, "secret-path-123"]:
        assert raw not in text
    assert f'civic_{service}_http_request_duration_seconds_count{{method="GET",' \
           f'route="/v1/cases/{{case_id}}",status="200"}} 3.0' in text


def test_two_apps_of_one_service_in_one_process_share_its_metrics():
    service = f"test_metrics_{uuid.uuid4().hex[:6]}"
    for _ in range(2):  # a second registration of the same names must not fail
        with TestClient(_app(service)) as client:
            assert client.get("/v1/cases/a").status_code == 200
            text = client.get("/metrics").text
    assert _requests(text, service)[("GET", "/v1/cases/{case_id}", "200")] == 2
