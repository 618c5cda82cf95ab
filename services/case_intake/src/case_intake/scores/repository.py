"""Every query about the score read model."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from case_intake.cases.models import Case
from case_intake.scores.models import CaseScore


def current(session: Session, case_id: str) -> CaseScore | None:
    return session.get(CaseScore, case_id)


def case_for_update(session: Session, case_id: str) -> Case | None:
    """The case a score is about, locked, so an erasure and a score don't cross."""
    return session.get(Case, case_id, with_for_update=True)


def add(session: Session, score: CaseScore) -> None:
    session.add(score)


def forget(session: Session, case_id: str) -> None:
    session.execute(delete(CaseScore).where(CaseScore.case_id == case_id))
