"""Partner keys with a chosen coverage, and small readers of a case's state."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from civic.http.auth import Coverage, Role

PartnerKey = Callable[..., dict[str, str]]


@pytest.fixture
def partner_key(client: TestClient) -> PartnerKey:
    """partner_key("partner.x", wards={...}, categories={...}) -> headers for a new
    partner key with that coverage; with neither, a key without coverage."""
    store = client.app.state.api_keys  # type: ignore[attr-defined]

    def make(name: str, *, wards: set[str] | None = None,
             categories: set[str] | None = None) -> dict[str, str]:
        coverage = (None if wards is None and categories is None
                    else Coverage(frozenset(wards or ()), frozenset(categories or ())))
        key = store.create(name, Role.PARTNER, coverage=coverage)
        return {"Authorization": f"Bearer {key}"}

    return make


@pytest.fixture
def audit_of(client: TestClient, as_):  # type: ignore[no-untyped-def]
    """audit_of(case_id) -> the case's audit entries, read by ops."""
    def read(case_id: str) -> list[dict[str, object]]:
        response = client.get(f"/v1/cases/{case_id}/audit", headers=as_("ops"))
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]
    return read


@pytest.fixture
def status_of(client: TestClient, as_):  # type: ignore[no-untyped-def]
    """status_of(case_id) -> (status, claimed_by) as staff see them in the case list."""
    def read(case_id: str) -> tuple[str, str | None]:
        response = client.get("/v1/cases", params={"limit": 200}, headers=as_("staff"))
        assert response.status_code == 200, response.text
        case = next(c for c in response.json()["items"] if c["id"] == case_id)
        return case["status"], case["claimed_by"]
    return read


@pytest.fixture
def move(client: TestClient, as_):  # type: ignore[no-untyped-def]
    """move(case_id, "in_progress", ...) -> staff move the case through each status."""
    def change(case_id: str, *statuses: str) -> None:
        for status in statuses:
            response = client.post(f"/v1/cases/{case_id}/status",
                                   json={"to": status, "reason": "staff moved it"},
                                   headers=as_("staff"))
            assert response.status_code == 200, response.text
    return change
