"""Every query about the score read model."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert
from sqlalchemy.orm import Session

from case_intake.cases.models import Case
from case_intake.scores.models import CaseScore
from case_intake.scores.ordering import UNSCORED, queue_key


def current(session: Session, case_id: str) -> CaseScore | None:
    return session.get(CaseScore, case_id)


def case_for_update(session: Session, case_id: str) -> Case | None:
    """The case a score is about, locked, so an erasure and a score don't cross."""
    return session.get(Case, case_id, with_for_update=True)


def add(session: Session, score: CaseScore) -> None:
    session.add(score)


def forget(session: Session, case_id: str) -> None:
    session.execute(delete(CaseScore).where(CaseScore.case_id == case_id))


def add_unscored(conn: Connection, cases: list[tuple[str, datetime]]) -> None:
    """New cases (id, filed at) join the queue unscored, in the filing's transaction."""
    if cases:
        conn.execute(insert(CaseScore), [
            {"case_id": case_id, "queue_key": UNSCORED, "overridden": False,
             "opened_at": filed_at} for case_id, filed_at in cases])


def follow_status(session: Session, case_id: str, status: str) -> None:
    """A case's status changed: it leaves the open part of the queue, or comes back."""
    row = session.get(CaseScore, case_id)
    if row is not None:
        row.queue_key = queue_key(row.band, row.score, status)
