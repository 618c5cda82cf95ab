"""The facts a score is computed from, gathered from a submitted case and the
reference data. Nothing else about a case can reach the score."""

from __future__ import annotations

from dataclasses import dataclass, replace

from civic.contracts.cases import CaseSubmitted
from civic.reference import Geography

FactValue = str | int | bool | tuple[str, ...] | None


@dataclass(frozen=True)
class ScoringInput:
    urgency: str
    categories: tuple[str, ...]  # sorted, so the order a resident ticked them is moot
    people: int
    children: int
    lives_alone: bool
    disability_or_long_term_condition: bool
    no_internet_access: bool
    previous_contacts_12m: int
    imd_decile: int | None

    @classmethod
    def from_case(cls, case: CaseSubmitted, geography: Geography) -> ScoringInput:
        area = geography.areas.get(case.location.lsoa_code or "")
        household = case.household
        return cls(
            urgency=case.urgency.value,
            categories=tuple(sorted({c.value for c in case.categories})),
            people=household.people,
            children=household.children,
            lives_alone=household.lives_alone,
            disability_or_long_term_condition=household.disability_or_long_term_condition,
            no_internet_access=household.no_internet_access,
            previous_contacts_12m=case.previous_contacts_12m,
            imd_decile=area.imd_decile if area else None,
        )

    def in_area(self, lsoa_code: str | None, geography: Geography) -> ScoringInput:
        """The same facts in another small area (staff placed the case by hand): only
        the area's own facts change."""
        area = geography.areas.get(lsoa_code or "")
        return replace(self, imd_decile=area.imd_decile if area else None)

    def value(self, field: str) -> FactValue:
        values: dict[str, FactValue] = {
            "urgency": self.urgency,
            "categories": self.categories,
            "household.people": self.people,
            "household.children": self.children,
            "household.lives_alone": self.lives_alone,
            "household.disability_or_long_term_condition":
                self.disability_or_long_term_condition,
            "household.no_internet_access": self.no_internet_access,
            "previous_contacts_12m": self.previous_contacts_12m,
            "area.imd_decile": self.imd_decile,
        }
        return values[field]
