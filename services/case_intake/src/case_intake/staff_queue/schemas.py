"""What the staff queue shows and how it can be narrowed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from case_intake.scores.ordering import OPEN_STATUSES
from case_intake.scores.paging import Position

__all__ = ["OPEN_STATUSES", "Position", "QueueFilters", "QueuePage", "QueueRow"]


@dataclass(frozen=True)
class QueueFilters:
    ward_code: str | None = None
    category: str | None = None
    status: str | None = None  # one of OPEN_STATUSES; None: all of them
    channel: str | None = None
    needs_review: bool = False  # only cases whose address could not be placed
    unclaimed_hours: int | None = None  # only cases unclaimed and older than this


@dataclass(frozen=True)
class QueueRow:
    case_id: str
    reference: str  # the first eight characters of the id, as staff read it out
    opened_at: datetime
    ward_code: str | None
    categories: list[str]
    status: str
    channel: str
    band: str | None  # None: not scored yet
    score: int | None
    reason: str | None  # the factor that added most points
    contact_may_be_shared: bool
    held_by: str | None  # the partner holding it
    needs_review: bool


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_position: Position | None
