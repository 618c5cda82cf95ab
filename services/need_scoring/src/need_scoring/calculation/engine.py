"""Score = the sum of each factor's points; points = weight x level, rounded half up.

Decimal arithmetic makes the rounding exact and the same everywhere, so a case under a
policy version always gets the same score, and the contributions add up to it exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from civic.contracts.common import Band
from civic.contracts.scoring import Contribution
from need_scoring.calculation.inputs import FactValue, ScoringInput
from need_scoring.policy import Factor, Policy


@dataclass(frozen=True)
class Score:
    score: int
    band: Band
    policy_version: str
    contributions: tuple[Contribution, ...]


def score_case(policy: Policy, facts: ScoringInput) -> Score:
    contributions = tuple(_contribution(f, facts.value(f.field)) for f in policy.factors)
    total = sum(c.points for c in contributions)
    return Score(total, policy.band_for(total), policy.version, contributions)


def _contribution(factor: Factor, value: FactValue
                  ) -> Contribution:
    level = _level(factor, value)
    points = int((Decimal(factor.weight) * level).quantize(Decimal(1), ROUND_HALF_UP))
    shown = _shown(factor, value)
    # model_construct: every field is built right here from a validated policy, and
    # this runs once per factor per case, so pydantic's checks would only cost time.
    return Contribution.model_construct(
        factor=factor.id,
        input_value=",".join(value) if isinstance(value, tuple) else value,
        weight=factor.weight,
        points=points,
        reason=f"{factor.reason.replace('{value}', shown)} "
               f"{points} of {factor.weight} points.",
    )


def _level(factor: Factor, value: FactValue) -> Decimal:
    if value is None:
        return Decimal(0)  # unknown facts never add need, and the reason says so
    if factor.kind == "flag":
        return Decimal(1) if value else Decimal(0)
    if factor.kind == "count":
        assert factor.saturate_at is not None and isinstance(value, int)
        return min(Decimal(value) / Decimal(factor.saturate_at), Decimal(1))
    if factor.kind == "any_of":
        assert isinstance(value, tuple)
        return max((Decimal(str(factor.levels[v])) for v in value), default=Decimal(0))
    return Decimal(str(factor.levels[str(value)]))


def _shown(factor: Factor, value: FactValue) -> str:
    if value is None:
        return factor.labels.get("none", "not known")
    if isinstance(value, bool):
        return factor.labels.get(str(value).lower(), "yes" if value else "no")
    if isinstance(value, tuple):
        return ", ".join(factor.labels.get(v, v.replace("_", " ")) for v in value)
    return factor.labels.get(str(value), str(value).replace("_", " "))
