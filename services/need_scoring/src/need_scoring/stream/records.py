"""What the service remembers about a case, in its faust table.

Only the facts a score is computed from, the case's small area, day, status and version:
no free text and no contact details, because the submitted event carries none. A staff
override is kept as its decision's id, role and time; the reason stays in the database.
The score itself is not stored; it is recomputed from the facts when needed, which
determinism makes exact. The table's values travel to its changelog topic, so nothing
may be kept here that must not be on the bus.
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
    override: dict[str, Any] | None = field(default=None)  # an AppliedOverride, as JSON
    case_version: int | None = None  # the newest case version applied (case intake's)
    # the placement by staff now in force: its area outranks the submission's
    placed_event_id: str | None = None
    # one more with every change kept, so the area owner can tell a newer footprint
    revision: int = 0

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
            "case_version": self.case_version,
            "placed_event_id": self.placed_event_id,
            "revision": self.revision,
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
            override=_current_override(data.get("override")),
            case_version=data.get("case_version"),
            placed_event_id=data.get("placed_event_id"),
            revision=data.get("revision", 0),
        )

    def is_stale(self, case_version: int | None) -> bool:
        """An event about a case version this record has already reached: a late or
        replayed event, which must not undo a later change. Events without a version
        (published before case intake set one) are applied as they come."""
        return (case_version is not None and self.case_version is not None
                and case_version <= self.case_version)

    def at_version(self, case_version: int | None) -> CaseRecord:
        if case_version is None or (self.case_version or 0) >= case_version:
            return self
        return replace(self, case_version=case_version)

    def erase(self) -> CaseRecord:
        # Keep only the tombstone, so a replay cannot bring the case back.
        return replace(CaseRecord(), erased=True, revision=self.revision)


def _current_override(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """A record written before overrides travelled by id held the reason; it is not
    read back (the processor takes the decision in force from the database instead)."""
    if stored is None or "override_id" not in stored:
        return None
    return stored
