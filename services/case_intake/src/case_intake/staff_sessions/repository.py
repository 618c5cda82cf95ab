"""Every query on staff sessions. Functions take the caller's Session; none commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from case_intake.staff_sessions.models import StaffSessionRecord


def add(session: Session, *, token_hash: str, principal: str, key_hash: str,
        now: datetime) -> None:
    session.add(StaffSessionRecord(token_hash=token_hash, principal=principal,
                                   key_hash=key_hash, created_at=now, last_seen_at=now))


def get(session: Session, token_hash: str) -> StaffSessionRecord | None:
    return session.get(StaffSessionRecord, token_hash)


def touch(session: Session, token_hash: str, now: datetime) -> bool:
    """Mark the session used now; False if it was deleted meanwhile (signed out)."""
    result = session.execute(update(StaffSessionRecord)
                             .where(StaffSessionRecord.token_hash == token_hash)
                             .values(last_seen_at=now))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def remove(session: Session, token_hash: str) -> None:
    session.execute(delete(StaffSessionRecord)
                    .where(StaffSessionRecord.token_hash == token_hash))


def remove_expired(session: Session, *, idle_before: datetime,
                   created_before: datetime) -> int:
    """Delete every session past its idle or absolute timeout; how many went."""
    result = session.execute(delete(StaffSessionRecord).where(or_(
        StaffSessionRecord.last_seen_at < idle_before,
        StaffSessionRecord.created_at < created_before)))
    return int(result.rowcount)  # type: ignore[attr-defined]
