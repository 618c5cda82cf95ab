"""Erasure leaves nothing of the resident behind in any table of case intake, on
SQLite and PostgreSQL, after the case has been noted, triaged, claimed and released.

Seen to fail before erasure reached every table: the postcode survived in
cases.review_reason, staff words in case_history.reason and audit_log.purpose, the
receipt token in the idempotency record, the pseudonym in the submission waiting in the
outbox; a reason given after the erasure was kept; and a 500-character erasure reason
was a 500 on PostgreSQL (audit_log.purpose was 200 characters)."""

from __future__ import annotations

from sqlalchemy import inspect, select, table, text

from civic_testing import MARKER_SURNAME, marker, marker_email
from civic_testing.markers import MARKER_STREET

EMAIL = marker_email("zanzibar")
MARKERS = [MARKER_SURNAME, "07700900461", "900461", EMAIL, "ZZ9 9ZZ", "ZZ99ZZ",
           MARKER_STREET, marker("DETAILS"), marker("NOTE"), marker("TRIAGE"),
           marker("RELEASE"), marker("PURPOSE"), "1961-04-02"]


def _dump(engine) -> str:  # type: ignore[no-untyped-def]
    """Every row of every table, as text."""
    found = []
    with engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            columns = [c["name"] for c in inspect(conn).get_columns(name)]
            query = select(*(text(f'"{c}"') for c in columns)).select_from(table(name))
            found += [f"{name}: {tuple(row)}" for row in conn.execute(query)]
    return "\n".join(found)


def test_erasure_leaves_no_trace_of_the_resident_in_any_table(client, as_, case_body):
    body = case_body(
        contact={"name": f"Ada {MARKER_SURNAME}", "phone": "07700 900461",
                 "email": EMAIL, "date_of_birth": "1961-04-02",
                 "address": f"1 {MARKER_STREET}, London"},
        location={"postcode": "ZZ9 9ZZ"}, details=f"{marker('DETAILS')}: cupboards empty.")
    created = client.post("/v1/cases", json=body,
                          headers={**as_("staff"), "Idempotency-Key": "erasure-test-0001"})
    assert created.status_code == 201, created.text
    case_id, receipt = created.json()["id"], created.json()["receipt_token"]
    assert "ZZ9 9ZZ" in created.json()["location"]["review_reason"]
    engine = client.app.state.container.database.engine
    # Placed in a ward by hand, as staff would, since no partner may claim an unplaced case.
    with engine.begin() as conn:
        conn.execute(text("UPDATE cases SET ward_code = 'E05000142' WHERE id = :c"),
                     {"c": case_id})
    staff, partner = as_("staff"), as_("partner")
    steps = [
        client.post(f"/v1/cases/{case_id}/notes", json={"text": f"{marker('NOTE')} rang back"},
                    headers=staff),
        client.post(f"/v1/cases/{case_id}/status",
                    json={"to": "triaged", "reason": f"{marker('TRIAGE')} checked"}, headers=staff),
        client.get(f"/v1/cases/{case_id}", params={"purpose": f"{marker('PURPOSE')} call"},
                   headers=staff),
        client.post(f"/v1/cases/{case_id}/claim", headers=partner),
        client.get(f"/v1/cases/{case_id}/contact", headers=partner),
        client.post(f"/v1/cases/{case_id}/release",
                    json={"reason": f"{marker('RELEASE')} cannot help"}, headers=partner),
    ]
    assert [r.status_code for r in steps] == [201, 200, 200, 200, 200, 200], \
        [r.text for r in steps]
    engine = client.app.state.container.database.engine
    before = _dump(engine)
    # (The receipt token is in no table: the case keeps its hash, and the idempotency
    # record keeps the answer sealed, so the dump after erasure still looks for it.)
    assert all(found in before for found in (marker("NOTE"), marker("TRIAGE")))
    with engine.connect() as conn:  # the pseudonyms, also in the waiting outbox event
        pseudonyms = [k for (k,) in conn.execute(text(
            "SELECT key FROM resident_keys WHERE case_id = :c"), {"c": case_id})]
    assert pseudonyms and all(k in before for k in pseudonyms)
    sealed = "SELECT count(*) FROM idempotency_keys WHERE case_id = :c"
    with engine.connect() as conn:  # sealed, so no marker finds it: look for the row
        assert conn.execute(text(sealed), {"c": case_id}).scalar() == 1

    # The erasure request's reference is kept with the erasure, for accountability.
    reason = "Erasure request ER-2026-0042. " + "x" * 470
    assert len(reason) == 500
    erased = client.post(f"/v1/cases/{case_id}/erasure", json={"reason": reason},
                         headers=staff)
    assert erased.status_code == 200, erased.text
    later = client.post(f"/v1/cases/{case_id}/status",
                        json={"to": "closed", "reason": f"{marker('TRIAGE')} after erasure"},
                        headers=staff)
    assert later.status_code == 200, later.text

    after = _dump(engine)
    with engine.connect() as conn:  # the sealed answer held the receipt token
        assert conn.execute(text(sealed), {"c": case_id}).scalar() == 0
    left = [m for m in [*MARKERS, *pseudonyms, receipt] if m.lower() in after.lower()]
    assert left == [], [line for line in after.splitlines()
                        if any(m.lower() in line.lower() for m in left)]
    history = client.get(f"/v1/cases/{case_id}/history", headers=staff).json()
    assert [h["to_status"] for h in history] == ["submitted", "triaged", "claimed", "triaged",
                                                 "closed"]

    # The pseudonyms went too: the same resident's next case links to nothing.
    again = client.post("/v1/cases", json=case_body(
        contact={"name": f"Ada {MARKER_SURNAME}", "phone": "07700 900461"}), headers=staff)
    assert again.status_code == 201
    detail = client.get(f"/v1/cases/{again.json()['id']}", headers=staff).json()
    assert detail["previous_contacts_12m"] == 0
