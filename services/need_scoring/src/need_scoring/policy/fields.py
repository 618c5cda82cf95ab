"""The facts about a case that a policy may score, and nothing else.

A field has to be listed here before any policy can use it, which is where a reviewer
looks to see everything the score could ever depend on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from civic.contracts.common import Category, Urgency


@dataclass(frozen=True)
class ScorableField:
    name: str
    type: type  # bool, int, or a StrEnum; `many` for a list of that enum
    description: str
    many: bool = False
    values: tuple[str, ...] = ()  # every value a lookup must cover


def _enum(name: str, enum: type[StrEnum], description: str,
          many: bool = False) -> ScorableField:
    return ScorableField(name, enum, description, many, tuple(e.value for e in enum))


SCORABLE_FIELDS: dict[str, ScorableField] = {f.name: f for f in [
    _enum("urgency", Urgency, "How soon the resident says they need help."),
    _enum("categories", Category, "What the resident needs help with.", many=True),
    ScorableField("household.people", int, "People living in the household."),
    ScorableField("household.children", int, "Of whom under 18."),
    ScorableField("household.lives_alone", bool, "The resident lives alone."),
    ScorableField("household.disability_or_long_term_condition", bool,
                  "Someone in the household has a disability or long-term condition."),
    ScorableField("household.no_internet_access", bool, "No internet access at home."),
    ScorableField("previous_contacts_12m", int,
                  "Earlier requests linked by pseudonym in the last 12 months."),
    ScorableField("area.imd_decile", int,
                  "IMD 2019 decile of the case's small area (1 most deprived).",
                  values=tuple(str(d) for d in range(1, 11))),
]}
