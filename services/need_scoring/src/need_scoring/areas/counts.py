"""Open cases per small area and day, and the rolling windows summed from them.

A case adds one to its small area's bucket for the day it was submitted, under its
band and each of its categories, while it is open. Closing, withdrawing or erasing it,
or overriding its band, takes the old footprint out before the new one goes in, so the
buckets always equal a recount of the open cases. Ward figures are the sum of their
small areas, so both levels agree by construction.

With several workers each scores only its own cases, so the counting happens in one
place: every worker tells the area owner each case's current footprint and revision
(``stream/footprints.py``), and :class:`AreaCounts` there turns them into the buckets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from civic.contracts.common import AreaLevel, Band, Category
from civic.reference import Geography

WINDOWS: dict[str, int] = {"7d": 7, "28d": 28}
TOTAL = "total"
BAND_CELLS = tuple(f"band:{b.value}" for b in Band)
CATEGORY_CELLS = tuple(f"category:{c.value}" for c in Category)
ALL_CELLS = (TOTAL, *BAND_CELLS, *CATEGORY_CELLS)

Counts = dict[str, int]
AreaRef = tuple[AreaLevel, str]


@dataclass(frozen=True)
class Footprint:
    """What one open case adds to the buckets; it carries no personal data."""

    lsoa_code: str
    submitted_on: date
    band: Band
    categories: tuple[Category, ...]

    @property
    def bucket_key(self) -> str:
        return f"{self.lsoa_code}|{self.submitted_on.isoformat()}"

    def to_json(self) -> dict[str, Any]:
        return {"lsoa_code": self.lsoa_code, "submitted_on": self.submitted_on.isoformat(),
                "band": self.band.value, "categories": [c.value for c in self.categories]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Footprint:
        return cls(data["lsoa_code"], date.fromisoformat(data["submitted_on"]),
                   Band(data["band"]), tuple(Category(c) for c in data["categories"]))

    def cells(self) -> Iterable[str]:
        yield TOTAL
        yield f"band:{self.band.value}"
        for category in dict.fromkeys(self.categories):  # a category counts a case once
            yield f"category:{category.value}"


class OpenNeed(Protocol):
    """Where the processor says what a case now adds to open need."""

    def changed(self, case_id: str, revision: int, footprint: Footprint | None) -> None: ...


class AreaCounts:
    """Each case's footprint as last told, and the buckets they add up to. A footprint
    older (by the case's revision) than the one held is ignored, and one told again moves
    nothing: told twice, or late by a case's former worker, a case still counts once. A
    case that stops counting keeps its revision, so nothing older brings it back."""

    def __init__(self, footprints: MutableMapping[str, dict[str, Any]],
                 buckets: MutableMapping[str, Counts]) -> None:
        self.footprints = footprints
        self.buckets = buckets

    def changed(self, case_id: str, revision: int, footprint: Footprint | None) -> None:
        held = self.footprints.get(case_id) or None  # a faust table's default is {}
        if held is not None and revision < held["revision"]:
            return
        old = Footprint.from_json(held["footprint"]) if held and held["footprint"] else None
        if held is not None and revision == held["revision"] and old == footprint:
            return  # told again: no table write, so no changelog message
        move(self.buckets, old, footprint)
        self.footprints[case_id] = {
            "revision": revision, "footprint": footprint.to_json() if footprint else None}


def move(buckets: MutableMapping[str, Counts], old: Footprint | None,
         new: Footprint | None) -> None:
    """Replace a case's old footprint with its new one (either may be None)."""
    if old == new:
        return
    if old is not None:
        _add(buckets, old, -1)
    if new is not None:
        _add(buckets, new, +1)


def _add(buckets: MutableMapping[str, Counts], footprint: Footprint, delta: int) -> None:
    # Read, change and write back whole: a faust table only records assignments.
    counts = dict(buckets.get(footprint.bucket_key) or {})
    for cell in footprint.cells():
        counts[cell] = counts.get(cell, 0) + delta
        if counts[cell] == 0:
            del counts[cell]
    if counts:
        buckets[footprint.bucket_key] = counts
    else:
        buckets.pop(footprint.bucket_key, None)


def expired_keys(buckets: Mapping[str, Counts], today: date) -> list[str]:
    oldest = today - timedelta(days=max(WINDOWS.values()) - 1)
    return [key for key in buckets if date.fromisoformat(key.split("|")[1]) < oldest]


def window_counts(buckets: Mapping[str, Counts], geography: Geography, today: date,
                  days: int) -> dict[AreaRef, Counts]:
    """Every ward and small area of the borough, with zeros where nothing is open."""
    first = today - timedelta(days=days - 1)
    result: dict[AreaRef, Counts] = {}
    for code in geography.areas:
        result[(AreaLevel.LSOA, code)] = dict.fromkeys(ALL_CELLS, 0)
    for code in geography.wards:
        result[(AreaLevel.WARD, code)] = dict.fromkeys(ALL_CELLS, 0)
    for key, counts in buckets.items():
        lsoa_code, day = key.split("|")
        area = geography.areas.get(lsoa_code)
        if area is None or not first <= date.fromisoformat(day) <= today:
            continue
        for target in ((AreaLevel.LSOA, lsoa_code), (AreaLevel.WARD, area.ward_code)):
            cells = result[target]
            for cell, n in counts.items():
                cells[cell] += n
    return result
