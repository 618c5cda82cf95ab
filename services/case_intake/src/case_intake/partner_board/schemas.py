"""What the partner pages show: the board of cases a partner may claim (no personal
data), and the cases it holds (with the resident's contact details when consented)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from case_intake.cases.schemas import Contact
from case_intake.scores.paging import Position


@dataclass(frozen=True)
class BoardRow:
    """A case a partner may claim. Nothing here identifies the resident: the contact
    details come only with a claim, and only with consent."""

    case_id: str
    reference: str  # the first eight characters of the id, as the staff queue shows it
    opened_at: datetime
    ward_code: str
    categories: list[str]
    band: str | None  # None: not scored yet
    score: int | None
    reasons: list[str]  # the scoring policy's words, never the resident's


@dataclass(frozen=True)
class BoardPage:
    rows: list[BoardRow]
    next_position: Position | None
    covered: bool = True  # False: the partner's key has no coverage, so sees nothing


@dataclass(frozen=True)
class HeldCase:
    """A case the partner holds (claimed or in progress), with how to reach the resident
    if they agreed; every such read is audited."""

    case_id: str
    reference: str
    opened_at: datetime
    ward_code: str | None
    categories: list[str]
    status: str
    contact: Contact | None
    contact_withheld_reason: str | None
