from __future__ import annotations

from sqlalchemy import func, select
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
