"""Idempotency records expire and hold only hashes, on SQLite and PostgreSQL.

A repeat within the time to live gets the first answer, receipt token included; after
it, the repeat is a new request and files a new case. The stored row holds neither the
Idempotency-Key, nor the caller, nor the receipt token, nor anything of the body or the
answer readable; expired rows are deleted by the next write of cases; records kept in
plain text before migration 0005 are gone after it, from the SQLite file too.

Mutations seen to fail here: replay ignoring expires_at (the repeat after expiry got
the old answer); the sweep removed from store_many (the expired row stayed); the answer
stored as JSON instead of sealed (the dump held the receipt token and the postcode);
the lookup hash without the caller (another caller's same key replayed the first
caller's answer); 0005 dropping the old table without secure_delete (the old token
stayed in the SQLite file)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select, text

from case_intake.app import create_app
from case_intake.cases.models import Case
from case_intake.database import schema
from case_intake.idempotency.sealing import IdempotencyKeys, SealBroken
from case_intake.settings import Settings
from civic.db import ServiceDatabase
from civic.http.auth import Role
from civic_testing.migrations import migrate

KEY = "3f6c2a9e-idem-key-0001"


def _client(settings: Settings, **changes: object) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update=changes))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def short_lived(settings: Settings) -> Iterator[TestClient]:
    """A client whose idempotency records live one second."""
    yield from _client(settings, idempotency_ttl_s=1.0)


def _staff(client: TestClient, name: str = "staff.duty-desk") -> dict[str, str]:
    key = client.app.state.api_keys.create(name, Role.STAFF)  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {key}"}


def _engine(client: TestClient) -> Engine:
    engine: Engine = client.app.state.container.database.engine  # type: ignore[attr-defined]
    return engine


def _cases(client: TestClient) -> int:
    with _engine(client).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Case.__table__)).scalar_one())


def _dump(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(text(
            "SELECT * FROM idempotency_keys"))]


def test_a_repeat_within_the_time_to_live_gets_the_first_answer(client, case_body):
    headers = {**_staff(client), "Idempotency-Key": KEY}
    first = client.post("/v1/cases", json=case_body(), headers=headers)
    again = client.post("/v1/cases", json=case_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert _cases(client) == 1
    receipt = client.get(f"/v1/receipts/{again.json()['receipt_token']}")
    assert receipt.status_code == 200  # the replayed token is the real one


def test_a_repeat_after_the_time_to_live_files_a_new_case(short_lived, case_body):
    client = short_lived
    headers = {**_staff(client), "Idempotency-Key": KEY}
    first = client.post("/v1/cases", json=case_body(), headers=headers)
    assert first.status_code == 201
    time.sleep(1.2)
    later = client.post("/v1/cases", json=case_body(), headers=headers)
    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]
    assert _cases(client) == 2
    rows = _dump(_engine(client))
    assert [r["case_id"] for r in rows] == [later.json()["id"]]  # the expired one went
    assert client.post("/v1/cases", json=case_body(), headers=headers).json() == later.json()


def test_expired_records_are_deleted_by_the_next_write_of_cases(client, case_body):
    headers = _staff(client)
    client.post("/v1/cases", json=case_body(), headers={**headers, "Idempotency-Key": KEY})
    with _engine(client).begin() as conn:
        conn.execute(text("UPDATE idempotency_keys SET expires_at = :past"),
                     {"past": datetime.now(UTC) - timedelta(seconds=1)})
    assert client.post("/v1/cases", json=case_body(), headers=headers).status_code == 201
    assert _dump(_engine(client)) == []


def test_the_stored_record_holds_no_key_no_receipt_token_and_no_readable_answer(
        client, case_body):
    headers = {**_staff(client, "staff.marker-desk"), "Idempotency-Key": KEY}
    body = case_body(location={"postcode": "ZZ9 9ZZ"}, details="MARKER-DETAILS")
    created = client.post("/v1/cases", json=body, headers=headers)
    assert created.status_code == 201, created.text
    answer = created.json()
    assert "ZZ9 9ZZ" in answer["location"]["review_reason"]

    rows = _dump(_engine(client))
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == {"key_hash", "request_mac", "status_code", "sealed_response",
                        "created_at", "expires_at", "case_id"}
    sealed = bytes(row["sealed_response"])  # type: ignore[arg-type]
    as_text = repr(row) + sealed.decode("latin-1")
    for secret in (KEY, "idem-key", "staff.marker-desk", answer["receipt_token"], "ZZ9 9ZZ",
                   "ZZ99ZZ", "MARKER", "receipt", "review_reason", "Ada"):
        assert secret not in as_text, secret
    assert row["case_id"] == answer["id"]  # so that erasure finds it
    created_at, expires_at = (datetime.fromisoformat(str(row[c]))
                              for c in ("created_at", "expires_at"))
    assert expires_at - created_at == timedelta(hours=24)


def test_the_same_key_from_another_caller_is_another_request(client, case_body):
    first = client.post("/v1/cases", json=case_body(),
                        headers={**_staff(client), "Idempotency-Key": KEY})
    other = client.post("/v1/cases", json=case_body(),
                        headers={**_staff(client, "staff.night-desk"), "Idempotency-Key": KEY})
    assert first.status_code == other.status_code == 201
    assert other.json()["id"] != first.json()["id"]


def test_a_sealed_answer_opens_only_with_its_own_key_and_unaltered() -> None:
    keys = IdempotencyKeys("a-server-secret-of-enough-length")
    request = keys.request(KEY, "staff.a", {"x": 1})
    sealed = request.seal({"receipt_token": "tok-123"})
    assert request.open(sealed) == {"receipt_token": "tok-123"}
    assert b"tok-123" not in sealed
    with pytest.raises(SealBroken):
        keys.request("another-key-0001", "staff.a", {"x": 1}).open(sealed)
    with pytest.raises(SealBroken):
        request.open(sealed[:-1] + bytes([sealed[-1] ^ 1]))
    with pytest.raises(SealBroken):
        IdempotencyKeys("another-server-secret-long-enough").request(
            KEY, "staff.a", {"x": 1}).open(sealed)
    assert request.seal({"a": 1}) != request.seal({"a": 1})  # a fresh nonce each time
    assert keys.request(KEY, "staff.a", {"x": 2}).request_mac != request.request_mac
    assert keys.request(KEY, "staff.b", {"x": 1}).lookup != request.lookup
    assert KEY not in repr(request) and "tok" not in repr(request)


def test_plain_text_records_from_before_0005_are_gone_after_it(database_url: str) -> None:
    database = ServiceDatabase(schema(), database_url)
    token = "old-plain-receipt-token-zq7"
    if database_url.startswith("sqlite:///"):
        # As a SQLite built without SECURE_DELETE (Debian's has it on) would be.
        event.listen(database.engine, "connect",
                     lambda dbapi, _: dbapi.execute("PRAGMA secure_delete = OFF"))
    try:
        with database.engine.begin() as conn:
            migrate(conn, database, "0004")
            conn.execute(text(
                "INSERT INTO idempotency_keys (key, principal, request_hash, status_code, "
                "response, created_at, case_id) VALUES (:k, 'staff.old', 'h', 201, :r, :at, "
                "'5b1f0c1e-0000-4000-8000-000000000001')"),
                [{"k": f"old-key-zq7-{i}", "at": datetime.now(UTC),
                  "r": json.dumps({"id": "5b1f0c1e-0000-4000-8000-000000000001",
                                   "receipt_token": token, "padding": "." * 200})}
                 for i in range(100)])  # pages enough that the new table cannot reuse all
        database.migrate()
        assert _dump(database.engine) == []
    finally:
        database.dispose()
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        stored = b"".join(p.read_bytes() for p in files)
        assert token.encode() not in stored
        assert b"old-key-zq7" not in stored
