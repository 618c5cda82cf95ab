from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from civic.contracts.common import Band


class OverrideBandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    band: Band = Field(description="The band staff judge right for this case.")
    reason: str = Field(min_length=10, max_length=500,
                        description="Why, for the record and for the resident if they ask. "
                        "Describe the need, not the person: no names or contact details.")


class OverrideDecisionOut(BaseModel):
    """One staff decision about a case's band, as kept."""

    id: int = Field(description="The id a scored event's override carries.")
    band: Band
    computed_band: Band
    policy_version: str
    reason: str
    overridden_by: str
    overridden_at: datetime
