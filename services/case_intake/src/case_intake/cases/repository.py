"""Every query case intake makes about cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from case_intake.cases.models import Case, CasePersonal, Note, ResidentKey, StatusChange

# Declarative models map a Table; sqlalchemy types ``__table__`` as a FromClause.
_cases = cast(Table, Case.__table__)
_personal = cast(Table, CasePersonal.__table__)
_resident_keys = cast(Table, ResidentKey.__table__)
_status_changes = cast(Table, StatusChange.__table__)


def get(session: Session, case_id: str, *, for_update: bool = False) -> Case | None:
    query = select(Case).where(Case.id == case_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def personal(session: Session, case_id: str) -> CasePersonal | None:
    return session.get(CasePersonal, case_id)


def notes(session: Session, case_id: str) -> list[Note]:
    return list(session.scalars(select(Note).where(Note.case_id == case_id).order_by(Note.id)))


def history(session: Session, case_id: str) -> list[StatusChange]:
    return list(session.scalars(select(StatusChange).where(StatusChange.case_id == case_id)
                                .order_by(StatusChange.id)))


def by_receipt(session: Session, receipt_hash: str) -> Case | None:
    return session.scalars(select(Case).where(Case.receipt_hash == receipt_hash)).first()


def insert_many(conn: Connection, new_cases: list[dict[str, Any]],
                personal: list[dict[str, Any]], resident_keys: list[dict[str, Any]],
                first_status: list[dict[str, Any]]) -> None:
    """New cases' rows, one multi-row insert per table: intake's hot path, where the
    ORM's unit of work cost four times what the inserts do."""
    conn.execute(insert(_cases), new_cases)
    conn.execute(insert(_personal), personal)
    if resident_keys:
        conn.execute(insert(_resident_keys), resident_keys)
    conn.execute(insert(_status_changes), first_status)


def contact_cases(conn: Connection, keys: list[str], since: datetime) -> dict[str, set[str]]:
    """For each pseudonym, the cases filed under it since then."""
    found: dict[str, set[str]] = {}
    for start in range(0, len(keys), 500):  # stay under every driver's parameter limit
        chunk = keys[start:start + 500]
        for key, case_id in conn.execute(
                select(ResidentKey.key, ResidentKey.case_id)
                .where(ResidentKey.key.in_(chunk), ResidentKey.created_at >= since)):
            found.setdefault(key, set()).add(case_id)
    return found


def search(session: Session, *, ward_code: str | None, status: str | None,
           category: str | None, created_from: datetime | None, created_to: datetime | None,
           after: tuple[datetime, str] | None, limit: int) -> list[Case]:
    query = select(Case)
    if ward_code:
        query = query.where(Case.ward_code == ward_code)
    if status:
        query = query.where(Case.status == status)
    if created_from:
        query = query.where(Case.created_at >= created_from)
    if created_to:
        query = query.where(Case.created_at < created_to)
    if after:
        # keyset pagination: stable under inserts, and cheap at any depth
        at, case_id = after
        query = query.where((Case.created_at < at)
                            | ((Case.created_at == at) & (Case.id < case_id)))
    query = query.order_by(Case.created_at.desc(), Case.id.desc())
    if not category:
        return list(session.scalars(query.limit(limit)))
    # categories is a JSON list; filter in Python over bounded pages so the query stays
    # portable between SQLite and PostgreSQL.
    found: list[Case] = []
    for case in session.scalars(query.execution_options(yield_per=200)):
        if category in case.categories:
            found.append(case)
            if len(found) == limit:
                break
    return found


ERASED_TEXT = "(erased)"


def erase_personal(session: Session, case_id: str) -> None:
    """The resident's details, pseudonyms and notes go; what staff wrote in the history
    (free text that may describe the resident) is replaced, and the transitions stay."""
    session.execute(delete(CasePersonal).where(CasePersonal.case_id == case_id))
    session.execute(delete(ResidentKey).where(ResidentKey.case_id == case_id))
    session.execute(delete(Note).where(Note.case_id == case_id))
    session.execute(update(StatusChange).where(StatusChange.case_id == case_id)
                    .values(reason=ERASED_TEXT))


def by_ids(session: Session, ids: list[str]) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.created_at)))


def in_period(session: Session, *, start: datetime, end: datetime, statuses: list[str] | None,
              limit: int) -> list[Case]:
    query = select(Case).where(Case.created_at >= start, Case.created_at < end)
    if statuses:
        query = query.where(Case.status.in_(statuses))
    return list(session.scalars(query.order_by(Case.created_at.desc()).limit(limit)))
