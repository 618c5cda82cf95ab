"""What the service remembers about a case, in its faust table.

Only the facts a score is computed from, the case's small area, day and status: no
free text and no contact details, because the submitted event carries none. The score
itself is not stored; it is recomputed from the facts when needed, which determinism
makes exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from civic.contracts.common import OPEN_STATUSES, Band, CaseStatus, Category
from need_scoring.areas.counts import Footprint
from need_scoring.calculation.inputs import ScoringInput


@dataclass(frozen=True)
class CaseRecord:
    facts: ScoringInput | None = None
    lsoa_code: str | None = None
    submitted_on: date | None = None
    band: Band | None = None  # the effective band, after any override
    scored_at: str | None = None
    submitted_event_id: str | None = None
    status: CaseStatus = CaseStatus.SUBMITTED
    erased: bool = False
    override: dict[str, Any] | None = field(default=None)

    def footprint(self) -> Footprint | None:
        if (self.erased or self.facts is None or self.lsoa_code is None
                or self.submitted_on is None or self.band is None
                or self.status not in OPEN_STATUSES):
            return None
        return Footprint(self.lsoa_code, self.submitted_on, self.band,
                         tuple(Category(c) for c in self.facts.categories))

    def to_json(self) -> dict[str, Any]:
        # Written by hand: dataclasses.asdict deep-copies, and this runs once per event.
        facts = self.facts
        return {
            "facts": None if facts is None else {
                "urgency": facts.urgency, "categories": list(facts.categories),
                "people": facts.people, "children": facts.children,
                "lives_alone": facts.lives_alone,
                "disability_or_long_term_condition": facts.disability_or_long_term_condition,
                "no_internet_access": facts.no_internet_access,
                "previous_contacts_12m": facts.previous_contacts_12m,
                "imd_decile": facts.imd_decile},
            "lsoa_code": self.lsoa_code,
            "submitted_on": self.submitted_on.isoformat() if self.submitted_on else None,
            "band": self.band.value if self.band else None,
            "scored_at": self.scored_at,
            "submitted_event_id": self.submitted_event_id,
            "status": self.status.value,
            "erased": self.erased,
            "override": self.override,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> CaseRecord:
        if not data:
            return cls()
        facts = data.get("facts")
        return cls(
            facts=ScoringInput(**{**facts, "categories": tuple(facts["categories"])})
            if facts else None,
            lsoa_code=data.get("lsoa_code"),
            submitted_on=date.fromisoformat(data["submitted_on"])
            if data.get("submitted_on") else None,
            band=Band(data["band"]) if data.get("band") else None,
            scored_at=data.get("scored_at"),
            submitted_event_id=data.get("submitted_event_id"),
            status=CaseStatus(data.get("status", CaseStatus.SUBMITTED)),
            erased=bool(data.get("erased")),
            override=data.get("override"),
        )

    def erase(self) -> CaseRecord:
        # Keep only the tombstone, so a replay cannot bring the case back.
        return replace(CaseRecord(), erased=True)
