"""What the case page shows. Personal data is only in ``Revealed``, which exists only
after a member of staff has stated why they need it (and that read is audited)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from case_intake.cases.schemas import CaseDetail, HistoryEntry, NoteOut


@dataclass(frozen=True)
class Factor:
    factor: str
    points: int
    reason: str


@dataclass(frozen=True)
class ScoreExplained:
    score: int
    band: str
    policy_version: str
    scored_at: datetime
    overridden_at: datetime | None  # a staff decision set the band
    factors: list[Factor]  # empty for a score kept before factors were (migration 0007)
    top_reasons: list[str]


@dataclass(frozen=True)
class EarlierContact:
    """Another case filed under one of this resident's pseudonyms."""

    case_id: str
    reference: str
    opened_at: datetime
    status: str
    categories: list[str]


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor_id: str
    action: str
    fields: list[str]
    purpose: str


@dataclass(frozen=True)
class CaseView:
    case_id: str
    reference: str
    opened_at: datetime
    status: str
    channel: str
    source: str | None
    categories: list[str]
    urgency: str
    household: dict[str, object]
    ward_code: str | None
    lsoa_code: str | None
    needs_review: bool
    share_with_partners: bool
    claimed_by: str | None
    erased: bool
    previous_contacts_12m: int
    score: ScoreExplained | None
    history: list[HistoryEntry]
    notes: list[NoteOut]
    audit: list[AuditLine]
    earlier_contacts: list[EarlierContact] = field(default_factory=list)
    next_statuses: list[str] = field(default_factory=list)  # what staff may move it to


@dataclass(frozen=True)
class Revealed:
    """The resident's details, read for a purpose a member of staff gave."""

    purpose: str
    detail: CaseDetail
