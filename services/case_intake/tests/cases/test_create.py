"""Creating cases through the HTTP API: placement, linking, receipts, idempotency."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from case_intake.cases.models import Case, CasePersonal
from civic.contracts import decode
from civic.contracts.cases import CaseSubmitted
from civic.outbox import outbox


def _outbox_rows(client):  # type: ignore[no-untyped-def]
    with client.app.state.container.database.engine.connect() as conn:
        return conn.execute(select(outbox).order_by(outbox.c.id)).all()


def test_a_case_is_accepted_placed_and_queued_for_publishing(client, as_, case_body):
    response = client.post("/v1/cases", json=case_body(), headers=as_("staff"))
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "submitted"
    assert created["location"] == {"ward_code": "E05000142", "lsoa_code": "E01000947",
                                   "resolved": True, "needs_review": False,
                                   "review_reason": None}
    assert len(created["receipt_token"]) >= 20

    rows = _outbox_rows(client)
    assert [r.topic for r in rows] == ["cases.submitted"]
    event = decode([(k, v.encode()) for k, v in rows[0].headers], rows[0].value, rows[0].key)
    assert isinstance(event.payload, CaseSubmitted)
    assert str(event.payload.case_id) == created["id"]
    assert event.payload.location.lsoa_code == "E01000947"
    # nothing the resident told us about themselves is in the event
    text = rows[0].value.decode() + json.dumps(rows[0].headers)
    for secret in ("Ada", "Example", "7974", "ada@example.org", "1961", "cupboards", "NW1"):
        assert secret not in text


def test_ward_and_small_area_codes_are_accepted_instead_of_a_postcode(new_case):
    by_lsoa = new_case(location={"lsoa_code": "E01000842"})
    assert by_lsoa["location"]["ward_code"] == "E05000128"
    by_ward = new_case(location={"ward_code": "E05000129"})
    assert by_ward["location"] == {"ward_code": "E05000129", "lsoa_code": None,
                                   "resolved": True, "needs_review": False,
                                   "review_reason": None}


def test_an_address_that_cannot_be_placed_is_kept_and_flagged_for_staff(client, as_, new_case):
    created = new_case(location={"postcode": "SW1A 1AA"})
    assert created["location"]["resolved"] is False
    assert created["location"]["needs_review"] is True
    assert "SW1A 1AA" in created["location"]["review_reason"]
    listed = client.get("/v1/cases", headers=as_("staff")).json()["items"]
    assert listed[0]["needs_review"] is True


def test_earlier_contacts_are_linked_by_pseudonym_without_storing_identifiers(client, as_,
                                                                               new_case, case_body):
    first = new_case()
    contact = dict(case_body()["contact"], email=None, phone="+44 20 7974 4444")
    second = new_case(contact=contact)  # same phone, written differently
    other = new_case(contact={"name": "Someone Else", "phone": "07700 900123"})
    with client.app.state.container.database.sessions() as session:
        cases = {c.id: c for c in session.scalars(select(Case))}
    assert cases[first["id"]].previous_contacts_12m == 0
    assert cases[second["id"]].previous_contacts_12m == 1
    assert cases[other["id"]].previous_contacts_12m == 0
    assert cases[first["id"]].resident_key == cases[second["id"]].resident_key
    assert cases[first["id"]].resident_key.startswith("rk1_")
    assert "7974" not in cases[first["id"]].resident_key


def test_a_repeat_with_the_same_idempotency_key_returns_the_first_answer(client, as_,
                                                                         case_body):
    headers = {**as_("staff"), "Idempotency-Key": "call-2026-11-21-0001"}
    first = client.post("/v1/cases", json=case_body(), headers=headers)
    again = client.post("/v1/cases", json=case_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    with client.app.state.container.database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
    assert len(_outbox_rows(client)) == 1


def test_a_different_body_under_the_same_idempotency_key_is_refused(client, as_, case_body):
    headers = {**as_("staff"), "Idempotency-Key": "call-2026-11-21-0002"}
    assert client.post("/v1/cases", json=case_body(), headers=headers).status_code == 201
    changed = client.post("/v1/cases", json=case_body(urgency="today"), headers=headers)
    assert changed.status_code == 422
    assert changed.headers["content-type"] == "application/problem+json"
    assert "different body" in changed.json()["detail"]
    with client.app.state.container.database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_the_resident_checks_progress_with_the_receipt_token_only(client, new_case):
    created = new_case()
    status = client.get(f"/v1/receipts/{created['receipt_token']}")
    assert status.status_code == 200
    assert status.json()["status"] == "submitted"
    assert "Ada" not in status.text
    assert client.get("/v1/receipts/not-a-real-token").status_code == 404


def test_personal_data_is_stored_apart_from_the_case(client, new_case):
    created = new_case()
    with client.app.state.container.database.sessions() as session:
        person = session.get(CasePersonal, created["id"])
        assert person is not None and person.name == "Ada Example"
        case = session.get(Case, created["id"])
        assert "Ada" not in json.dumps([case.household, case.categories, case.review_reason])
