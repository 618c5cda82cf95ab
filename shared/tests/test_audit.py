"""civic.audit and civic.db.UtcDateTime, on real databases: one audit-log shape for
every service, and moments that come back in UTC, aware, whatever the backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Session

from civic.audit import AuditLogColumns
from civic.db import make_engine
from civic.http.auth import Principal, Role


class Base(DeclarativeBase):
    pass


class AuditEntry(AuditLogColumns, Base):
    pass


def test_an_audit_entry_names_who_what_and_why_and_reads_back_in_utc(database_url):
    """Seen to fail with UtcDateTime's read side taken out (SQLite handed back a naive
    moment) and with its write side taken out (a +02:00 moment stored as 12:00 read back
    as 12:00 UTC on SQLite)."""
    engine = make_engine(database_url)
    try:
        Base.metadata.create_all(engine)
        staff = Principal("staff.duty-desk", Role.STAFF)
        paris = datetime(2026, 11, 26, 12, 0, tzinfo=timezone(timedelta(hours=2)))
        with Session(engine) as session, session.begin():
            entry = AuditEntry.entry(staff, "read_personal_data", "case-1", ["phone"],
                                     "call back")
            session.add(entry)
            session.add(AuditEntry(at=paris, actor_role="ops", actor_id="ops.on-call",
                                   action="erase_personal_data", case_id=None, fields=[],
                                   purpose="erasure request"))
            session.add(AuditEntry(at=datetime(2026, 11, 26, 9, 30), actor_role="ops",
                                   actor_id="ops.naive", action="x", case_id=None,
                                   fields=[], purpose="a naive moment is taken as UTC"))
        with Session(engine) as session:
            rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        first, second, third = rows
        assert (first.actor_role, first.actor_id, first.action, first.case_id) == (
            "staff", "staff.duty-desk", "read_personal_data", "case-1")
        assert first.fields == ["phone"] and first.purpose == "call back"
        assert first.at.tzinfo is not None
        assert abs(first.at - datetime.now(UTC)) < timedelta(minutes=1)
        assert second.at == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
        assert second.at.utcoffset() == timedelta(0)
        assert third.at == datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    finally:
        engine.dispose()
