"""Idempotency records: the first answer to a request is kept, sealed, and replayed to
repeats until it expires. An expired record answers nothing: the repeat is a new
request, and every write of new cases deletes the records that have expired."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, insert, select

from case_intake.idempotency.models import IdempotencyRecord
from case_intake.idempotency.sealing import IdempotentRequest
from civic.errors import InvalidInput

_records = cast(Table, IdempotencyRecord.__table__)  # declarative models map a Table


@dataclass(frozen=True)
class Replayed:
    status_code: int
    response: dict[str, Any]


def replay(conn: Connection, request: IdempotentRequest,
           now: datetime | None = None) -> Replayed | None:
    """The first answer to this request, or None when there is none or it has expired.
    A different body under the same key is a client bug, so it is refused rather than
    silently treated as new."""
    now = now or datetime.now(UTC)
    record = conn.execute(select(_records).where(_records.c.key_hash == request.lookup,
                                                 _records.c.expires_at > now)).first()
    if record is None:
        return None
    if not hmac.compare_digest(record.request_mac, request.request_mac):
        raise InvalidInput("Idempotency key reused",
                           "This Idempotency-Key was first used with a different body; "
                           "use a new key for a new request.", slug="idempotency-key-reused")
    return Replayed(record.status_code, request.open(record.sealed_response))


def store_many(conn: Connection, answers: list[tuple[IdempotentRequest, int, dict[str, Any]]],
               now: datetime | None = None) -> None:
    """Delete the records that have expired, then keep (request, status, answer) for each
    first answer. Called on every write of new cases, with or without answers to keep."""
    now = now or datetime.now(UTC)
    sweep(conn, now)
    if answers:
        conn.execute(insert(_records), [
            {"key_hash": request.lookup, "request_mac": request.request_mac,
             "status_code": status, "sealed_response": request.seal(response),
             "created_at": now, "expires_at": now + request.ttl, "case_id": response.get("id")}
            for request, status, response in answers])


def sweep(conn: Connection, now: datetime | None = None) -> int:
    """Delete every record that has expired; return how many."""
    gone = conn.execute(delete(_records).where(
        _records.c.expires_at <= (now or datetime.now(UTC))))
    return int(gone.rowcount or 0)


def forget_case(conn: Connection, case_id: str) -> None:
    """Erasure: the sealed answer holds the case's receipt token."""
    conn.execute(delete(_records).where(_records.c.case_id == case_id))
