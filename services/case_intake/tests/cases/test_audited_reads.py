"""Reading a case's status history reads staff's words about the resident, so it is
audited like reading the case. Seen to fail before the history read was audited."""

from __future__ import annotations


def test_reading_the_history_is_audited_with_its_purpose(client, as_, new_case):
    case_id = new_case()["id"]
    moved = client.post(f"/v1/cases/{case_id}/status",
                        json={"to": "triaged", "reason": "rang, needs food today"},
                        headers=as_("staff"))
    assert moved.status_code == 200
    history = client.get(f"/v1/cases/{case_id}/history",
                         params={"purpose": "preparing the visit"}, headers=as_("staff"))
    assert history.status_code == 200
    trail = client.get(f"/v1/cases/{case_id}/audit", headers=as_("ops")).json()
    reads = [(a["action"], a["actor_id"], a["fields"], a["purpose"]) for a in trail]
    assert ("read_personal_data", "staff.duty-desk", ["history"],
            "preparing the visit") in reads
