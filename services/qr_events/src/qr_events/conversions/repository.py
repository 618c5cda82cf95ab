"""Every query on conversions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from qr_events.codes.models import Code
from qr_events.conversions.models import Conversion


def code_id_of(session: Session, short_code: str) -> uuid.UUID | None:
    return session.scalar(select(Code.id).where(Code.short_code == short_code))


def add(session: Session, case_id: uuid.UUID, code_id: uuid.UUID, at: datetime) -> bool:
    """False if the case was already counted (a redelivered event)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = session.execute(insert(Conversion).values(
        case_id=case_id, code_id=code_id, submitted_at=at, day=at.date())
        .on_conflict_do_nothing(index_elements=["case_id"]))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def forget(session: Session, case_id: uuid.UUID) -> None:
    session.execute(delete(Conversion).where(Conversion.case_id == case_id))
