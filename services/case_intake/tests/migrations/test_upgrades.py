"""Migrations upgrade a database that already holds data. Seen to fail before 0002
filled in the case of idempotency records kept under 0001 (erasure then missed them,
and with them the receipt token)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import insert, text

from case_intake.cases.models import Case
from case_intake.database import schema
from case_intake.scores.ordering import queue_key
from civic.db import ServiceDatabase
from civic_testing.migrations import migrate


def test_an_idempotency_record_from_0001_learns_its_case(database_url: str) -> None:
    database = ServiceDatabase(schema(), database_url)
    try:
        with database.engine.begin() as conn:
            migrate(conn, database, "0001")
            conn.execute(text(
                "INSERT INTO idempotency_keys (key, principal, request_hash, status_code, "
                "response, created_at) VALUES ('k-0001', 'staff.old', 'h', 201, :r, :at)"),
                {"r": json.dumps({"id": "5b1f0c1e-0000-4000-8000-000000000001",
                                  "receipt_token": "old-token"}),
                 "at": datetime.now(UTC)})
        # To 0002 only: 0005 then drops such plain-text records (tests/idempotency).
        with database.engine.begin() as conn:
            migrate(conn, database, "0002")
        with database.engine.connect() as conn:
            found = conn.execute(text("SELECT case_id FROM idempotency_keys")).scalar()
        assert found == "5b1f0c1e-0000-4000-8000-000000000001"
    finally:
        database.dispose()


def test_cases_filed_before_0006_join_the_queue_unscored(database_url: str) -> None:
    database = ServiceDatabase(schema(), database_url)
    at = datetime.now(UTC)

    def case(case_id: str, erased: bool, status: str = "submitted") -> dict[str, object]:
        return {"id": case_id, "created_at": at, "updated_at": at, "channel": "phone",
                "source": None, "categories": ["food"], "urgency": "today", "household": {},
                "status": status, "ward_code": None, "lsoa_code": None,
                "location_resolved": False, "needs_review": True, "review_reason": None,
                "resident_key": None, "previous_contacts_12m": 0, "lawful_basis": "public_task",
                "share_with_partners": False, "terms_version": "2026-10", "claimed_by": None,
                "receipt_hash": case_id, "created_by": "staff.old",
                "erased_at": at if erased else None, "version": 1}

    try:
        with database.engine.begin() as conn:
            migrate(conn, database, "0005")
            conn.execute(insert(Case), [case("c-open", False), case("c-erased", True),
                                        case("c-closed", False, "closed")])
        with database.engine.begin() as conn:
            migrate(conn, database, "0006")
        with database.engine.connect() as conn:
            rows = conn.execute(text("SELECT case_id, queue_key, score FROM case_scores "
                                     "ORDER BY queue_key")).all()
        assert [tuple(r) for r in rows] == [
            ("c-open", queue_key(None, None, "submitted"), None),
            ("c-closed", queue_key(None, None, "closed"), None)], "as ordering.py places them"
    finally:
        database.dispose()
