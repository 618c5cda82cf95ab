"""Partner claims, consent and the audit log, through the HTTP API."""

from __future__ import annotations


def _audit(client, as_, case_id):  # type: ignore[no-untyped-def]
    return client.get(f"/v1/cases/{case_id}/audit", headers=as_("ops")).json()


def test_one_partner_holds_a_case_and_a_second_claim_gets_409(client, as_, triaged_case):
    case_id = triaged_case()
    first = client.post(f"/v1/cases/{case_id}/claim", headers=as_("partner"))
    assert first.status_code == 200, first.text
    assert first.json()["case"]["claimed_by"] == "partner.foodbank"
    second = client.post(f"/v1/cases/{case_id}/claim", headers=as_("other_partner"))
    assert second.status_code == 409
    assert second.json()["title"] == "Already claimed"
    again = client.post(f"/v1/cases/{case_id}/claim", headers=as_("partner"))
    assert again.status_code == 200  # the holder repeating itself is harmless


def test_contact_details_go_to_the_claiming_partner_with_consent_and_are_audited(
        client, as_, triaged_case):
    case_id = triaged_case()
    claimed = client.post(f"/v1/cases/{case_id}/claim", headers=as_("partner")).json()
    assert claimed["contact"]["phone"] == "020 7974 4444"
    assert claimed["contact"]["date_of_birth"] is None  # minimum needed to help
    entries = _audit(client, as_, case_id)
    assert [e["action"] for e in entries] == ["release_contact_to_partner"]
    assert entries[0]["actor_id"] == "partner.foodbank"
    other = client.get(f"/v1/cases/{case_id}/contact", headers=as_("other_partner"))
    assert other.status_code == 403
    refused = _audit(client, as_, case_id)[1:]  # the attempt is on the record, nothing more
    assert [(e["action"], e["actor_id"]) for e in refused] == [
        ("contact_read_refused", "partner.mutual-aid")]


def test_without_consent_the_partner_gets_no_contact_details(client, as_, triaged_case,
                                                             case_body):
    consent = dict(case_body()["consent"], share_with_partners=False)
    case_id = triaged_case(consent=consent)
    claimed = client.post(f"/v1/cases/{case_id}/claim", headers=as_("partner")).json()
    assert claimed["contact"] is None
    assert "did not consent" in claimed["contact_withheld_reason"]
    assert "7974" not in str(claimed)
    assert _audit(client, as_, case_id) == []


def test_a_case_must_be_triaged_before_it_can_be_claimed(client, as_, new_case):
    case_id = new_case()["id"]
    response = client.post(f"/v1/cases/{case_id}/claim", headers=as_("partner"))
    assert response.status_code == 403
    assert response.json()["type"].endswith("/not-triaged")
    assert "This case is submitted; only a triaged case" in response.json()["detail"]


def test_a_released_case_can_be_claimed_by_another_partner(client, as_, triaged_case):
    case_id = triaged_case()
    client.post(f"/v1/cases/{case_id}/claim", headers=as_("partner"))
    released = client.post(f"/v1/cases/{case_id}/release", json={"reason": "no capacity"},
                           headers=as_("partner"))
    assert released.status_code == 200
    taken = client.post(f"/v1/cases/{case_id}/claim", headers=as_("other_partner"))
    assert taken.status_code == 200
    assert taken.json()["case"]["claimed_by"] == "partner.mutual-aid"


def test_staff_reads_of_personal_data_are_audited_with_purpose(client, as_, new_case):
    case_id = new_case()["id"]
    detail = client.get(f"/v1/cases/{case_id}", params={"purpose": "call back"},
                        headers=as_("staff"))
    assert detail.json()["contact"]["name"] == "Ada Example"
    entries = _audit(client, as_, case_id)
    assert entries[-1]["action"] == "read_personal_data"
    assert entries[-1]["purpose"] == "call back"
    assert entries[-1]["actor_id"] == "staff.duty-desk"


def test_erasure_removes_personal_data_keeps_the_trail_and_queues_an_event(
        client, as_, triaged_case):
    from sqlalchemy import select

    from civic.outbox import outbox

    case_id = triaged_case()
    client.post(f"/v1/cases/{case_id}/notes", json={"text": "Lives with her son."},
                headers=as_("staff"))
    client.post(f"/v1/cases/{case_id}/claim", headers=as_("partner"))
    erased = client.post(f"/v1/cases/{case_id}/erasure", json={"reason": "SAR-2026-114"},
                         headers=as_("staff"))
    assert erased.status_code == 200 and erased.json()["erased"] is True
    detail = client.get(f"/v1/cases/{case_id}", headers=as_("staff")).json()
    assert detail["contact"] is None and detail["details"] is None and detail["notes"] == []
    assert "Ada" not in str(detail) and "her son" not in str(detail)
    assert len(client.get(f"/v1/cases/{case_id}/history", headers=as_("staff")).json()) == 3
    actions = [e["action"] for e in _audit(client, as_, case_id)]
    assert "erase_personal_data" in actions and "release_contact_to_partner" in actions
    partner_view = client.get(f"/v1/cases/{case_id}/contact", headers=as_("partner")).json()
    assert partner_view["contact"] is None
    with client.app.state.container.database.engine.connect() as conn:
        types = [r.event_type for r in conn.execute(select(outbox))]
    assert types[-1] == "civic.case.erased.v1"
    again = client.post(f"/v1/cases/{case_id}/erasure", json={"reason": "again"},
                        headers=as_("staff"))
    assert again.status_code == 200
    with client.app.state.container.database.engine.connect() as conn:
        assert [r.event_type for r in conn.execute(select(outbox))].count(
            "civic.case.erased.v1") == 1
