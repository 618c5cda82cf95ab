"""Every query on scans, their daily aggregates and the day's salt."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from qr_events.scans.models import DailySalt, OrphanScanDay, Scan, ScanDay

# The first key of the PostgreSQL advisory lock that serialises scan writes across
# workers, so two workers' batches can't both miss each other's repeat scans.
FLUSH_LOCK = 0x5153434E  # "QSCN"


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table))


def serialise_writers(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FLUSH_LOCK})


def salt_of(session: Session, day: date) -> bytes | None:
    return session.scalar(select(DailySalt.salt).where(DailySalt.day == day))


def add_salt(session: Session, day: date, salt: bytes) -> None:
    session.execute(_insert(session, DailySalt).values(day=day, salt=salt)
                    .on_conflict_do_nothing(index_elements=["day"]))


def forget_days_before(session: Session, day: date, day_start: datetime) -> int:
    """Delete older salts and clear every hash made with them."""
    session.execute(delete(DailySalt).where(DailySalt.day < day))
    cleared = session.execute(update(Scan).where(Scan.scanned_at < day_start,
                                                 Scan.device_hash.is_not(None))
                              .values(device_hash=None))
    return int(cleared.rowcount or 0)  # type: ignore[attr-defined]


def recent_by_device(session: Session, hashes: Iterable[str], code_ids: Iterable[Any],
                     short_codes: Iterable[str], since: datetime) -> Sequence[Any]:
    """(device_hash, code_id, short_code, scanned_at) of these devices' recent counted
    scans of these codes: a repeat is measured from the scan that counted, so a device
    counts at most once an hour per code, however often it scans. Asking by code too
    keeps the answer small when one address scans many codes (a shared connection)."""
    wanted = list(set(hashes))
    codes = list(set(code_ids))
    orphans = list(set(short_codes))
    columns = (Scan.device_hash, Scan.code_id, Scan.short_code, Scan.scanned_at)
    recent = (Scan.device_hash.in_(wanted), Scan.scanned_at >= since, Scan.repeat.is_(False))
    found: list[Any] = []
    if wanted and codes:
        found += session.execute(select(*columns).where(*recent, Scan.code_id.in_(codes))).all()
    if wanted and orphans:
        found += session.execute(select(*columns).where(
            *recent, Scan.code_id.is_(None), Scan.short_code.in_(orphans))).all()
    return found


def add_scans(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(Scan.__table__), rows)  # type: ignore[arg-type]  # Core: faster than the ORM's bulk path


def add_to_days(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        statement = _insert(session, ScanDay)
        session.execute(statement.on_conflict_do_update(
            index_elements=["day", "code_id", "outcome", "via", "device_class"],
            set_={"scans": ScanDay.scans + statement.excluded.scans,
                  "repeats": ScanDay.repeats + statement.excluded.repeats}), rows)


def add_to_orphan_days(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        statement = _insert(session, OrphanScanDay)
        session.execute(statement.on_conflict_do_update(
            index_elements=["day", "via", "device_class"],
            set_={"scans": OrphanScanDay.scans + statement.excluded.scans}), rows)


def delete_scans_before(session: Session, cutoff: datetime) -> int:
    result = session.execute(delete(Scan).where(Scan.scanned_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

