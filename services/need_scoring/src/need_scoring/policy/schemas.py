"""The shape of a policy file. Unknown keys are refused, so a typo cannot be ignored."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from civic.contracts.common import Band

Slug = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BandThreshold(_Strict):
    band: Band
    min_score: int = Field(ge=0, le=100)


class Factor(_Strict):
    id: str = Slug
    field: str = Field(min_length=1, max_length=80)
    kind: Literal["flag", "lookup", "any_of", "count"] = Field(
        description="flag: yes counts in full. lookup: the value's level. any_of: the "
        "highest level among the listed values. count: value / saturate_at, capped at 1.")
    weight: int = Field(ge=1, le=100, description="Points when the level is 1.")
    levels: dict[str, float] = Field(default_factory=dict)
    saturate_at: int | None = Field(default=None, ge=1)
    labels: dict[str, str] = Field(default_factory=dict,
                                   description="How a value reads in a reason.")
    reason: str = Field(min_length=5, max_length=200,
                        description="Plain-English reason; {value} is replaced.")
    justification: str = Field(min_length=40, max_length=1200,
                               description="Why this factor is fair and relevant.")


class NeedIndexWeights(_Strict):
    version: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{0,39}$")
    demand_weight: float = Field(ge=0, le=1)
    deprivation_weight: float = Field(ge=0, le=1)
    per_population: int = Field(ge=1)
    justification: str = Field(min_length=40)


class Policy(_Strict):
    version: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{0,39}$")
    title: str
    status: Literal["active", "draft", "retired"]
    published: date
    owner: str
    contact: str
    purpose: str
    bands: list[BandThreshold] = Field(min_length=1)
    factors: list[Factor] = Field(min_length=1)
    need_index: NeedIndexWeights

    @property
    def max_score(self) -> int:
        return sum(f.weight for f in self.factors)

    def band_for(self, score: int) -> Band:
        for threshold in self.bands:  # the loader keeps them highest first
            if score >= threshold.min_score:
                return threshold.band
        raise AssertionError("the loader guarantees a band starting at 0")
