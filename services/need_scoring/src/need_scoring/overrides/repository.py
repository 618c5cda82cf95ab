from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from need_scoring.overrides.models import BandOverrideRow


def add(session: Session, row: BandOverrideRow) -> None:
    session.add(row)


def latest_per_case(session: Session) -> list[BandOverrideRow]:
    newest = (select(BandOverrideRow.case_id, func.max(BandOverrideRow.id).label("id"))
              .group_by(BandOverrideRow.case_id).subquery())
    return list(session.scalars(select(BandOverrideRow).join(
        newest, BandOverrideRow.id == newest.c.id)))


def for_case(session: Session, case_id: str) -> list[BandOverrideRow]:
    return list(session.scalars(select(BandOverrideRow).where(
        BandOverrideRow.case_id == case_id).order_by(BandOverrideRow.id)))


def delete_for_cases(session: Session, case_ids: list[str]) -> int:
    """Erasure: staff reasons go with the case (the access log stays: it names staff)."""
    result = session.execute(delete(BandOverrideRow).where(
        BandOverrideRow.case_id.in_(case_ids)))
    return result.rowcount  # type: ignore[attr-defined, no-any-return]
