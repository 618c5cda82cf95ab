"""Bad input gets a clear 4xx naming the field or reason; nothing is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from case_intake.cases.models import Case
from civic.outbox import outbox


def _nothing_stored(client) -> None:  # type: ignore[no-untyped-def]
    with client.app.state.container.database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(outbox)) == 0


def _fields(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {e["field"] for e in response.json().get("errors", [])}


@pytest.mark.parametrize(("mutate", "field", "message"), [
    (lambda b: b.update(categories=["food", "unicorns"]), "body.categories.1", "food"),
    (lambda b: b.update(categories=[]), "body.categories", "at least 1"),
    (lambda b: b.update(urgency=3), "body.urgency", "today"),
    (lambda b: b["location"].update(postcode="NOT A CODE"), "body.location.postcode",
     "valid UK postcode"),
    (lambda b: b.pop("consent"), "body.consent", "Field required"),
    (lambda b: b["consent"].pop("lawful_basis"), "body.consent.lawful_basis", "required"),
    (lambda b: b["contact"].update(phone="12"), "body.contact.phone", "UK phone"),
    (lambda b: b["contact"].update(email="not-an-email"), "body.contact.email", "email"),
    (lambda b: b.update(contact={"name": "Ada"}), "body.contact", "one way to reach"),
    (lambda b: b["household"].update(children=5), "body.household", "fewer than people"),
    (lambda b: b.update(channel="carrier-pigeon"), "body.channel", "web"),
    (lambda b: b.update(resident_ethnicity="x"), "body.resident_ethnicity", "not permitted"),
])
def test_invalid_fields_are_named(client, as_, case_body, mutate, field, message):
    body = case_body()
    mutate(body)
    response = client.post("/v1/cases", json=body, headers=as_("staff"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in _fields(response)
    assert message in response.text
    _nothing_stored(client)


def test_malformed_json_is_a_clear_422(client, as_):
    response = client.post("/v1/cases", content=b'{"channel": "web",',
                           headers={**as_("staff"), "content-type": "application/json"})
    assert response.status_code == 422
    assert "not valid JSON" in response.text
    _nothing_stored(client)


def test_oversized_bodies_are_refused_before_reading(client, as_, case_body):
    body = case_body(details="x" * 70_000)
    response = client.post("/v1/cases", json=body, headers=as_("staff"))
    assert response.status_code == 413
    assert "at most 65536 bytes" in response.json()["detail"]
    _nothing_stored(client)


def test_missing_bad_and_wrong_role_keys(client, as_, case_body):
    missing = client.post("/v1/cases", json=case_body())
    assert missing.status_code == 401 and "API key is required" in missing.json()["detail"]
    bad = client.post("/v1/cases", json=case_body(), headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and "not recognised" in bad.json()["detail"]
    wrong = client.get("/v1/cases", headers=as_("partner"))
    assert wrong.status_code == 403 and "staff role" in wrong.json()["detail"]
    partner_web = client.post("/v1/cases", json=case_body(), headers=as_("partner"))
    assert partner_web.status_code == 422 and "partner" in partner_web.json()["detail"]
    _nothing_stored(client)


def test_revoked_keys_stop_working(client, case_body):
    from civic.http.auth import Role

    store = client.app.state.api_keys
    key = store.create("staff.leaver", Role.STAFF)
    assert client.get("/v1/cases", headers={"X-API-Key": key}).status_code == 200
    assert store.revoke("staff.leaver")
    assert client.get("/v1/cases", headers={"X-API-Key": key}).status_code == 401


def test_unknown_case_ids_and_bad_ids(client, as_):
    assert client.get("/v1/cases/00000000-0000-4000-8000-000000000000",
                      headers=as_("staff")).status_code == 404
    bad = client.get("/v1/cases/not-a-uuid", headers=as_("staff"))
    assert bad.status_code == 422 and "case_id" in str(_fields(bad))


def test_the_service_keeps_serving_after_bad_requests(client, as_, case_body):
    for _ in range(3):
        client.post("/v1/cases", content=b"\xff\xfe", headers={**as_("staff"),
                                                             "content-type": "application/json"})
    assert client.post("/v1/cases", json=case_body(), headers=as_("staff")).status_code == 201
    assert client.get("/healthz").json() == {"status": "ok"}
