"""Events from need scoring: per-case scores and per-area need."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from civic.contracts.base import EventPayload
from civic.contracts.common import ActorId, ActorRole, AreaLevel, Band, Category


class Contribution(BaseModel):
    """One factor's share of a score, with the reason a person can read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    factor: str = Field(max_length=60)
    input_value: str | int | float | bool | None
    weight: float
    points: int
    reason: str = Field(max_length=300)


class AppliedOverride(BaseModel):
    """The staff band decision in force on a scored case, as its event carries it: which
    decision, by which role, when. The reason is staff's free text about the resident's
    situation, so it stays in need scoring's database; staff read it there, audited."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    band: Band
    override_id: int = Field(
        ge=1, description="The decision's id in need scoring's database.")
    actor_role: ActorRole = Field(description="The role of whoever overrode the band.")
    overridden_at: datetime


class CaseScored(EventPayload):
    event_type: ClassVar[str] = "civic.case.scored.v2"
    topic: ClassVar[str] = "cases.scored"
    key_field: ClassVar[str] = "case_id"
    summary: ClassVar[str] = (
        "A case's need score with every factor's contribution; contributions' points "
        "sum to the score. The score orders work, it never closes or denies a case. "
        "A staff override travels as its decision's id, role and time, never its reason."
    )

    case_id: UUID
    scored_at: datetime
    score: int = Field(ge=0, le=100)
    band: Band
    policy_version: str = Field(max_length=40)
    contributions: list[Contribution]
    override: AppliedOverride | None = None


class AppliedOverrideV1(BaseModel):
    """Retired with ``civic.case.scored.v1``: it carried staff's free-text reason."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    band: Band
    overridden_by: ActorId
    overridden_at: datetime
    reason: str = Field(
        min_length=3,
        max_length=500,
        description="Staff's justification. Guidance forbids personal data here.",
    )


class CaseScoredV1(EventPayload):
    """Retired: no longer published (``civic.case.scored.v2`` replaced it, without the
    override's reason). Kept so that v1 events still retained on ``cases.scored`` can be
    read until they expire; see ``shared/contracts/CHANGELOG.md``."""

    event_type: ClassVar[str] = "civic.case.scored.v1"
    topic: ClassVar[str] = "cases.scored"
    key_field: ClassVar[str] = "case_id"
    summary: ClassVar[str] = (
        "Retired, no longer published: replaced by civic.case.scored.v2, which leaves "
        "the override's free-text reason out. Readable until retained v1 events expire."
    )

    case_id: UUID
    scored_at: datetime
    score: int = Field(ge=0, le=100)
    band: Band
    policy_version: str = Field(max_length=40)
    contributions: list[Contribution]
    override: AppliedOverrideV1 | None = None


class BandCounts(BaseModel):
    """Counts per band; None where suppressed for small numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: int | None
    medium: int | None
    high: int | None
    urgent: int | None


class AreaNeedChanged(EventPayload):
    event_type: ClassVar[str] = "civic.area.need_changed.v1"
    topic: ClassVar[str] = "areas.need"
    key_field: ClassVar[str] = "area_key"
    summary: ClassVar[str] = (
        "Open-case need for one area and window. Counts below the suppression "
        "threshold are null, so no small group can be singled out."
    )

    area_key: str = Field(
        pattern=r"^(ward|lsoa):E0[15]\d{6}:(7d|28d)$",
        description="level:code:window; the compaction key.",
    )
    level: AreaLevel
    area_code: str = Field(pattern=r"^E0[15]\d{6}$")
    window: str = Field(pattern=r"^(7d|28d)$")
    computed_at: datetime
    open_cases: int | None = Field(ge=0)
    by_band: BandCounts
    by_category: dict[Category, int | None]
    imd_decile: int | None = Field(ge=1, le=10)
    need_index: float | None = Field(ge=0)
    suppression_threshold: int = Field(ge=1)
    index_version: str = Field(max_length=40)
