"""The test ping reaches a real HTTP receiver, signed so that the standardwebhooks
library verifies it with the subscription's secret, and with both secrets while a
rotation overlaps; it reports status, latency and the start of the answer, and an
endpoint that is down is reported, not raised.

Mutations seen to fail: signing with the old secret only after a rotation, and the
answer's body not truncated."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from civic.kafka.broker import free_port
from civic_testing import LiveServer

KENTISH_TOWN = "E05000139"


@pytest.fixture
def receiver() -> Any:
    received: list[tuple[bytes, dict[str, str]]] = []

    async def hooks(request: Request) -> Response:
        received.append((await request.body(), dict(request.headers)))
        return Response(status_code=204)

    async def broken(_request: Request) -> Response:
        return PlainTextResponse("x" * 5000, status_code=500)

    app = Starlette(routes=[Route("/hooks", hooks, methods=["POST"]),
                            Route("/broken", broken, methods=["POST"])])
    with LiveServer(app) as server:
        yield server.url, received


@pytest.fixture
def partner(client: TestClient, ops: dict[str, str]) -> dict[str, str]:
    client.post("/v1/partners", headers=ops, json={
        "id": "partner.foodbank", "organisation": "Food Bank", "contact": "a@example.org",
        "wards": [KENTISH_TOWN], "categories": ["food"]})
    key = client.post("/v1/partners/partner.foodbank/key", headers=ops).json()["key"]
    return {"Authorization": f"Bearer {key}"}


def subscribed(client: TestClient, partner: dict[str, str], url: str) -> dict[str, Any]:
    made = client.post("/v1/subscriptions", headers=partner,
                       json={"url": url, "event_types": ["ping", "case.scored"]})
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def test_a_ping_is_signed_verified_and_reported(client: TestClient, partner, receiver) -> None:
    base, received = receiver
    sub = subscribed(client, partner, f"{base}/hooks")
    answer = client.post(f"/v1/subscriptions/{sub['id']}/ping", headers=partner).json()
    assert (answer["delivered"], answer["status_code"], answer["error"]) == (True, 204, None)
    assert answer["latency_ms"] >= 0
    body, headers = received[-1]
    payload = Webhook(sub["secret"]).verify(body, headers)
    assert payload["type"] == "ping" and payload["data"]["subscription_id"] == sub["id"]
    assert set(json.loads(body)) == {"type", "timestamp", "data"}
    assert headers["webhook-id"].startswith("ping_")

    rotated = client.post(f"/v1/subscriptions/{sub['id']}/rotate-secret",
                          headers=partner).json()
    client.post(f"/v1/subscriptions/{sub['id']}/ping", headers=partner)
    body, headers = received[-1]
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (sub["secret"], rotated["secret"]):  # a partner holding either verifies
        assert Webhook(secret).verify(body, headers)["type"] == "ping"


def test_a_failing_or_absent_endpoint_is_reported(client: TestClient, partner,
                                                  receiver) -> None:
    base, _ = receiver
    broken = subscribed(client, partner, f"{base}/broken")
    answer = client.post(f"/v1/subscriptions/{broken['id']}/ping", headers=partner).json()
    assert (answer["delivered"], answer["status_code"]) == (False, 500)
    assert answer["body"] == "x" * 500
    nobody = subscribed(client, partner, f"http://127.0.0.1:{free_port()}/hooks")
    reported = client.post(f"/v1/subscriptions/{nobody['id']}/ping", headers=partner)
    assert reported.status_code == 200  # the endpoint's failure is news, not an error here
    answer = reported.json()
    assert (answer["delivered"], answer["status_code"]) == (False, None)
    assert "ConnectError" in answer["error"]
