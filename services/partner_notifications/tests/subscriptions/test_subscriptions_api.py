"""A partner's subscriptions over the API: only its own, URLs that can be reached
safely, filters within its coverage, a secret shown once, and rotation with overlap.

Mutations seen to fail: the partner check dropped from the lookup (another partner's
subscription was readable), the coverage check skipped, https not required, and
rotation ending the old secret at once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from civic.http.auth import Principal, Role

KENTISH_TOWN, KINGS_CROSS = "E05000139", "E05000141"
STAFF = {"Authorization": "Bearer civic_dev_staff_key"}
URL = "https://hooks.ktfb.example/civic"


def new_partner(client: TestClient, ops: dict[str, str], partner_id: str) -> dict[str, str]:
    made = client.post("/v1/partners", headers=ops, json={
        "id": partner_id, "organisation": partner_id, "contact": "hooks@example.org",
        "wards": [KENTISH_TOWN], "categories": ["food", "money"]})
    assert made.status_code == 201, made.text
    key = client.post(f"/v1/partners/{partner_id}/key", headers=ops).json()["key"]
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def partner(client: TestClient, ops: dict[str, str]) -> dict[str, str]:
    return new_partner(client, ops, "partner.foodbank")


def subscribe(client: TestClient, partner: dict[str, str], **overrides: Any) -> Any:
    body: dict[str, Any] = {"url": URL, "event_types": ["case.scored", "case.claimed"],
                            "filters": {"wards": [KENTISH_TOWN], "categories": ["food"],
                                        "min_band": "high"}}
    body.update(overrides)
    return client.post("/v1/subscriptions", headers=partner, json=body)


def problem(response: Any) -> tuple[int, str]:
    return response.status_code, response.json().get("type", "").rsplit("/", 1)[-1]


def test_a_partner_sees_and_touches_only_its_own(client: TestClient, ops, partner) -> None:
    made = subscribe(client, partner)
    assert made.status_code == 201, made.text
    created = made.json()
    assert created["secret"].startswith("whsec_")
    assert created["filters"] == {"wards": [KENTISH_TOWN], "categories": ["food"],
                                  "min_band": "high"}
    path = f"/v1/subscriptions/{created['id']}"
    assert "secret" not in client.get(path, headers=partner).json()
    other = new_partner(client, ops, "partner.mutual-aid")
    for method in ("GET", "DELETE"):
        assert problem(client.request(method, path, headers=other)) == \
            (404, "subscription-not-found")
    assert problem(client.patch(path, headers=other, json={"url": URL})) == \
        (404, "subscription-not-found")
    assert client.get("/v1/subscriptions", headers=other).json() == []
    assert [s["id"] for s in client.get("/v1/subscriptions", headers=partner).json()] == \
        [created["id"]]
    changed = client.patch(path, headers=partner, json={"event_types": ["ping"]})
    assert changed.json()["event_types"] == ["ping"]
    assert client.delete(path, headers=partner).status_code == 204
    assert client.get(path, headers=partner).status_code == 404


@pytest.mark.parametrize(("url", "slug"), [
    ("http://hooks.ktfb.example/civic", "https-required"),
    ("https://10.1.2.3/civic", "endpoint-not-allowed"),
    ("https://169.254.169.254/latest/meta-data", "endpoint-not-allowed"),
    ("https://2130706433/civic", "endpoint-not-allowed"),
    ("https://[::ffff:127.0.0.1]/civic", "endpoint-not-allowed"),
    ("https://localhost/civic", "endpoint-not-allowed"),
    ("https://metadata.google.internal/", "endpoint-not-allowed"),
    ("https://user:secret@hooks.ktfb.example/", "invalid-url"),
    ("ftp://hooks.ktfb.example/", "invalid-url"),
    ("not a url", "invalid-url"),
    ("https://hooks.ktfb.example/" + "\u00e9" * 700, "invalid-url"),  # 4,227 once encoded
])
def test_urls_that_can_never_be_reached_safely_are_refused(client: TestClient, partner,
                                                            url: str, slug: str) -> None:
    refused = subscribe(client, partner, url=url)
    assert problem(refused) == (422, slug), refused.text
    assert refused.json()["detail"].startswith("url: ")


def test_plain_http_to_a_development_address_is_allowed(client: TestClient, partner) -> None:
    assert subscribe(client, partner, url="http://127.0.0.1:8005/hooks").status_code == 201


def test_filters_never_widen_coverage_and_event_types_are_known(client: TestClient,
                                                                 partner) -> None:
    wider = subscribe(client, partner, filters={"wards": [KENTISH_TOWN, KINGS_CROSS]})
    assert problem(wider) == (422, "filters-wider-than-coverage")
    assert KINGS_CROSS in wider.json()["detail"]
    assert problem(subscribe(client, partner, filters={"categories": ["housing"]})) == \
        (422, "filters-wider-than-coverage")
    unknown = subscribe(client, partner, event_types=["case.filed"])
    assert unknown.status_code == 422 and "event_types" in unknown.text
    everything = subscribe(client, partner, filters={})
    assert everything.json()["filters"] == {"wards": [], "categories": [], "min_band": None}


def test_wrong_roles_and_missing_keys_are_refused(client: TestClient, ops) -> None:
    assert problem(client.get("/v1/subscriptions", headers=STAFF)) == (403, "forbidden")
    assert problem(client.get("/v1/subscriptions", headers=ops)) == (403, "forbidden")
    assert problem(client.get("/v1/subscriptions")) == (401, "unauthorised")


def test_rotation_keeps_old_secrets_signing_for_the_overlap_only(client: TestClient,
                                                                 partner) -> None:
    created = subscribe(client, partner).json()
    path = f"/v1/subscriptions/{created['id']}/rotate-secret"
    secrets = [created["secret"]]
    for _ in range(5):
        rotated = client.post(path, headers=partner).json()
        secrets.append(rotated["secret"])
    service = client.app.state.container.subscriptions  # type: ignore[attr-defined]
    owner, subscription = Principal("partner.foodbank", Role.PARTNER), uuid.UUID(created["id"])
    now = service.clock()
    url, signing = service._target(subscription, owner)
    assert url == URL
    # the newest first, then the three newest old ones; the two oldest stopped
    assert signing == [secrets[5], secrets[4], secrets[3], secrets[2]]
    later = now + timedelta(hours=24, seconds=1)
    service.clock = lambda: later
    assert service._target(subscription, owner)[1] == [secrets[5]]
