"""Every query of the staff queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, String, cast, func, select, tuple_
from sqlalchemy.orm import Session

from case_intake.cases.models import Case
from case_intake.scores.models import CaseScore
from case_intake.scores.ordering import CLOSED_OFFSET
from case_intake.staff_queue.schemas import OPEN_STATUSES, Position, QueueFilters

Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


def in_order(session: Session, filters: QueueFilters, after: Position | None, limit: int,
           now: datetime) -> list[tuple[Case, CaseScore]]:
    """Open cases in need order (those not scored yet first), from just after
    ``after``: read down the queue index, so a page costs the same at any depth."""
    query = _narrowed(select(Case, CaseScore).join(CaseScore, CaseScore.case_id == Case.id),
                      filters, now)
    # open cases only, by their place in the index: without this bound a page with
    # fewer open matches than it holds would read through every closed case too
    query = query.where(CaseScore.queue_key < CLOSED_OFFSET)
    if after is not None:
        query = query.where(tuple_(CaseScore.queue_key, CaseScore.opened_at, CaseScore.case_id)
                            > tuple_(after.queue_key, after.opened_at, after.case_id))
    query = query.order_by(CaseScore.queue_key, CaseScore.opened_at, CaseScore.case_id)
    return [(case, score) for case, score in session.execute(query.limit(limit))]


def _narrowed(query: Query, filters: QueueFilters, now: datetime) -> Query:
    if filters.status:
        # one status: a few of the open cases, found through its index and sorted
        query = query.where(Case.erased_at.is_(None), Case.status == filters.status)
    else:
        # every open status: wrapped so no index on it is usable, and the planner reads
        # the queue's own index in order and stops after a page, rather than collecting
        # every open case through the status index and sorting them all (what SQLite
        # chose, at every page)
        query = query.where(Case.erased_at.is_(None),
                            func.coalesce(Case.status, "").in_(OPEN_STATUSES))
    if filters.ward_code:
        query = query.where(Case.ward_code == filters.ward_code)
    if filters.category:
        # categories is a JSON list of slugs from a fixed list (checked before this), so
        # the quoted slug in its text is exact, and the same on SQLite and PostgreSQL
        query = query.where(cast(Case.categories, String).like(f'%"{filters.category}"%'))
    if filters.channel:
        query = query.where(Case.channel == filters.channel)
    if filters.needs_review:
        query = query.where(Case.needs_review.is_(True))
    if filters.unclaimed_hours is not None:
        query = query.where(Case.claimed_by.is_(None), Case.created_at
                            < now - timedelta(hours=filters.unclaimed_hours))
    return query
