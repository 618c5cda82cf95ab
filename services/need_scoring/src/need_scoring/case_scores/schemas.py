"""A score as staff read it: the published event's fields, and the staff decision in
force with its reason, read from the database (the event carries only its id)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from civic.contracts.common import Band
from civic.contracts.scoring import AppliedOverride, CaseScored, Contribution
from need_scoring.overrides.schemas import OverrideDecisionOut


class ScoreOut(BaseModel):
    case_id: UUID
    scored_at: datetime
    score: int = Field(ge=0, le=100)
    band: Band = Field(description="The band in force: staff's, if they overrode it.")
    policy_version: str
    contributions: list[Contribution]
    override: AppliedOverride | None = Field(
        default=None, description="The override as `cases.scored` carries it.")
    decision: OverrideDecisionOut | None = Field(
        default=None, description="The override's decision, with who made it and why, as "
        "kept in need scoring's database. Each read is audited.")

    @classmethod
    def of(cls, scored: CaseScored, decision: OverrideDecisionOut | None) -> ScoreOut:
        return cls(**dict(scored), decision=decision)
