"""Every query of the partner pages."""

from __future__ import annotations

from sqlalchemy import String, cast, or_, select, tuple_
from sqlalchemy.orm import Session

from case_intake.cases.models import Case
from case_intake.scores.models import CaseScore
from case_intake.scores.ordering import CLOSED_OFFSET
from case_intake.scores.paging import Position


def claimable(session: Session, *, wards: list[str], categories: list[str],
              after: Position | None, limit: int) -> list[tuple[Case, CaseScore]]:
    """Triaged, unclaimed cases in one of ``wards`` with at least one of ``categories``
    (claims/scope.py's coverage rule), in need order from just after ``after``.
    ``categories`` must be known category slugs: each is matched as a quoted word in
    the JSON list's text, exact on SQLite and PostgreSQL alike."""
    in_categories = or_(*(cast(Case.categories, String).like(f'%"{category}"%')
                          for category in categories))
    query = (select(Case, CaseScore).join(CaseScore, CaseScore.case_id == Case.id)
             .where(Case.status == "triaged", Case.claimed_by.is_(None),
                    Case.erased_at.is_(None), Case.ward_code.in_(wards), in_categories,
                    CaseScore.queue_key < CLOSED_OFFSET))
    if after is not None:
        query = query.where(tuple_(CaseScore.queue_key, CaseScore.opened_at, CaseScore.case_id)
                            > tuple_(after.queue_key, after.opened_at, after.case_id))
    query = query.order_by(CaseScore.queue_key, CaseScore.opened_at, CaseScore.case_id)
    return [(case, score) for case, score in session.execute(query.limit(limit))]


def held(session: Session, partner: str, statuses: list[str]) -> list[str]:
    """The ids of the cases this partner holds in these statuses, oldest first."""
    return list(session.scalars(select(Case.id).where(
        Case.claimed_by == partner, Case.status.in_(statuses))
        .order_by(Case.created_at, Case.id)))
