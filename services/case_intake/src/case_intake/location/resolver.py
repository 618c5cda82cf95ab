"""Resolve what the resident told us about where they are to ward and small area.

An address we cannot place is never a reason to turn someone away: the case is kept and
flagged for staff to place by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from civic.reference import Geography


@dataclass(frozen=True)
class Resolution:
    ward_code: str | None
    lsoa_code: str | None
    resolved: bool
    review_reason: str | None = None


class LocationResolver:
    def __init__(self, geography: Geography) -> None:
        self.geo = geography

    def resolve(self, *, postcode: str | None, ward_code: str | None,
                lsoa_code: str | None) -> Resolution:
        if lsoa_code:
            area = self.geo.areas.get(lsoa_code)
            if area is None:
                return Resolution(None, None, False,
                                  f"small area {lsoa_code} is not in {self.geo.council}")
            return Resolution(area.ward_code, area.code, True)
        if ward_code:
            if ward_code not in self.geo.wards:
                return Resolution(None, None, False,
                                  f"ward {ward_code} is not in {self.geo.council}")
            return Resolution(ward_code, None, True)
        if postcode:
            area = self.geo.area_for_postcode(postcode)
            if area is None:
                return Resolution(None, None, False,
                                  f"postcode {postcode} is not in the {self.geo.council} "
                                  "postcode list; place the case by hand")
            return Resolution(area.ward_code, area.code, True)
        return Resolution(None, None, False, "no postcode, ward or small area given")
