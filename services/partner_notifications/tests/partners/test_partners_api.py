"""Ops register partners and issue, rotate and revoke each one's key; each change puts
the partner's directory record in the outbox, in the same transaction, with the key's
hash and coverage and nothing else; a partner reads its own record; reads of a
partner's contact are audited.

Mutations seen to fail: revocation publishing a hash, a contact read without its audit
row, and a coverage change not reaching the key."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from civic.contracts.envelope import decode
from civic.contracts.partners import PartnerDirectoryEntry
from civic.http.auth import hash_key
from civic.outbox import outbox
from partner_notifications.audit.models import AuditEntry

KENTISH_TOWN, KINGS_CROSS = "E05000139", "E05000141"
STAFF = {"Authorization": "Bearer civic_dev_staff_key"}


def directory(client: TestClient) -> list[PartnerDirectoryEntry]:
    """The directory records waiting in the outbox, oldest first (no relay runs here)."""
    with client.app.state.container.database.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(select(outbox).order_by(outbox.c.id)).all()
    entries = []
    for row in rows:
        headers = [(k, v.encode()) for k, v in row.headers]
        payload = decode(headers, row.value, row.key).payload
        assert isinstance(payload, PartnerDirectoryEntry)
        entries.append(payload)
    return entries


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_partner_is_registered_keyed_rotated_and_revoked(client: TestClient, ops, body):
    made = client.post("/v1/partners", json=body(), headers=ops)
    assert made.status_code == 201, made.text
    assert made.json()["has_key"] is False and "contact" not in made.json()
    first = client.post("/v1/partners/partner.kentish-town-foodbank/key", headers=ops)
    assert first.status_code == 201
    key = first.json()["key"]
    me = client.get("/v1/partners/me", headers=bearer(key))
    assert me.status_code == 200, me.text
    assert (me.json()["wards"], me.json()["categories"]) == ([KENTISH_TOWN], ["food"])

    second = client.post("/v1/partners/partner.kentish-town-foodbank/key", headers=ops)
    new_key = second.json()["key"]
    assert client.get("/v1/partners/me", headers=bearer(key)).status_code == 401
    assert client.get("/v1/partners/me", headers=bearer(new_key)).status_code == 200

    widened = client.patch("/v1/partners/partner.kentish-town-foodbank", headers=ops,
                           json={"wards": [KINGS_CROSS, KENTISH_TOWN]})
    assert widened.json()["wards"] == [KENTISH_TOWN, KINGS_CROSS]
    assert client.get("/v1/partners/me", headers=bearer(new_key)).json()["wards"] == \
        [KENTISH_TOWN, KINGS_CROSS]
    # and the key itself carries the new coverage, as every check of scope reads it
    principal = client.app.state.api_keys.lookup(new_key)  # type: ignore[attr-defined]
    assert principal.coverage.wards == {KENTISH_TOWN, KINGS_CROSS}

    gone = client.delete("/v1/partners/partner.kentish-town-foodbank/key", headers=ops)
    assert gone.status_code == 204
    assert client.get("/v1/partners/me", headers=bearer(new_key)).status_code == 401
    metrics = client.get("/metrics").text
    assert 'civic_partner_notifications_key_changes_total{change="revoked"}' in metrics
    assert "kentish-town" not in metrics  # no partner in a label
    again = client.delete("/v1/partners/partner.kentish-town-foodbank/key", headers=ops)
    assert again.status_code == 404 and again.json()["type"].endswith("/no-live-key")

    records = directory(client)
    assert [(r.revision, r.key_hashes, r.wards) for r in records] == [
        (1, [], [KENTISH_TOWN]),
        (2, [hash_key(key)], [KENTISH_TOWN]),
        (3, [hash_key(new_key)], [KENTISH_TOWN]),
        (4, [hash_key(new_key)], [KENTISH_TOWN, KINGS_CROSS]),
        (5, [], [KENTISH_TOWN, KINGS_CROSS])]
    on_the_bus = repr([r.model_dump() for r in records])
    for private in ("Kentish Town Food Bank", "coordinator@ktfb.example", key, new_key):
        assert private not in on_the_bus


def test_deactivating_a_partner_revokes_its_key_everywhere(client: TestClient, ops, body):
    client.post("/v1/partners", json=body(), headers=ops)
    key = client.post("/v1/partners/partner.kentish-town-foodbank/key", headers=ops).json()["key"]
    off = client.patch("/v1/partners/partner.kentish-town-foodbank", headers=ops,
                       json={"active": False})
    assert off.json()["active"] is False and off.json()["has_key"] is False
    assert client.get("/v1/partners/me", headers=bearer(key)).status_code == 401
    last = directory(client)[-1]
    assert (last.active, last.key_hashes) == (False, [])
    refused = client.post("/v1/partners/partner.kentish-town-foodbank/key", headers=ops)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/partner-inactive")


def test_reading_a_contact_is_audited_and_needs_a_purpose(client: TestClient, ops, body):
    client.post("/v1/partners", json=body(), headers=ops)
    path = "/v1/partners/partner.kentish-town-foodbank/contact"
    assert client.get(path, headers=ops).status_code == 422
    read = client.get(path, params={"purpose": "auto-disable notice"}, headers=ops)
    assert read.json() == {"id": "partner.kentish-town-foodbank",
                           "contact": "coordinator@ktfb.example"}
    with client.app.state.container.database.sessions() as session:  # type: ignore[attr-defined]
        reads = [(e.actor_id, e.fields, e.purpose) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "read_partner_contact"))]
    assert reads == [("ops.demo", ["contact"],
                      "partner.kentish-town-foodbank: auto-disable notice")]


def test_bad_requests_say_what_is_wrong(client: TestClient, ops, body):
    def problem(response: Any) -> tuple[int, str]:
        return response.status_code, response.json()["type"].rsplit("/", 1)[-1]

    assert client.post("/v1/partners", json=body(), headers=ops).status_code == 201
    assert problem(client.post("/v1/partners", json=body(), headers=ops)) == \
        (409, "partner-exists")
    unknown_ward = client.post("/v1/partners", headers=ops,
                               json=body(id="partner.other", wards=["E05999999"]))
    assert problem(unknown_ward) == (422, "unknown-ward-codes")
    assert "E05999999" in unknown_ward.json()["detail"]
    bad_id = client.post("/v1/partners", json=body(id="Food Bank"), headers=ops)
    assert bad_id.status_code == 422 and "id" in bad_id.text
    assert problem(client.post("/v1/partners", json=body(id="partner.x"), headers=STAFF)) \
        == (403, "forbidden")
    assert problem(client.post("/v1/partners", json=body(id="partner.x"))) == \
        (401, "unauthorised")
    assert problem(client.patch("/v1/partners/partner.nobody", json={"active": False},
                                headers=ops)) == (404, "partner-not-found")
    assert problem(client.patch("/v1/partners/partner.kentish-town-foodbank", json={},
                                headers=ops)) == (422, "nothing-to-change")
    assert client.get("/v1/partners/me", headers=ops).status_code == 403
