"""Idempotency keys: the first answer to a request is kept and replayed for repeats."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, delete, insert, select

from case_intake.idempotency.models import IdempotencyRecord
from civic.errors import InvalidInput

_records = cast(Table, IdempotencyRecord.__table__)  # declarative models map a Table


def request_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def replay(conn: Connection, key: str, principal: str, body_hash: str) -> Row[Any] | None:
    """The stored answer for this key, or None. A different body under the same key is
    a client bug, so it is refused rather than silently treated as new."""
    record = conn.execute(select(_records).where(_records.c.key == key,
                                                 _records.c.principal == principal)).first()
    if record is not None and record.request_hash != body_hash:
        raise InvalidInput("Idempotency key reused",
                           f"Idempotency-Key {key!r} was first used with a different body; "
                           "use a new key for a new request.", slug="idempotency-key-reused")
    return record


def store_many(conn: Connection,
               answers: list[tuple[str, str, str, int, dict[str, Any]]]) -> None:
    """(key, principal, body hash, status, response) for each first answer."""
    now = datetime.now(UTC)
    conn.execute(insert(_records), [
        {"key": key, "principal": principal, "request_hash": body_hash,
         "status_code": status, "response": response, "created_at": now,
         "case_id": response.get("id")}
        for key, principal, body_hash, status, response in answers])


def forget_case(conn: Connection, case_id: str) -> None:
    """Erasure: the stored answer holds the receipt token in plain text."""
    conn.execute(delete(_records).where(_records.c.case_id == case_id))
