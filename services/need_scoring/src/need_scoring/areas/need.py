"""Area need per window: suppressed, rounded counts and the published need index."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from civic.contracts.common import AreaLevel, Band, Category
from civic.contracts.scoring import AreaNeedChanged, BandCounts
from civic.reference import Geography
from need_scoring.areas.counts import (
    ALL_CELLS,
    TOTAL,
    WINDOWS,
    AreaRef,
    Counts,
    window_counts,
)
from need_scoring.areas.suppression import suppress
from need_scoring.policy import NeedIndexWeights

ROUNDING_BASE = 5


@dataclass(frozen=True)
class AreaNeed:
    level: AreaLevel
    code: str
    name: str
    window: str
    population: int
    imd_decile: int
    open_cases: int | None  # None: fewer than k, or withheld so totals cannot betray one
    by_band: dict[Band, int | None]
    by_category: dict[Category, int | None]
    need_index: float

    @property
    def area_key(self) -> str:
        return f"{self.level.value}:{self.code}:{self.window}"

    def event(self, computed_at: datetime, k: int, index_version: str) -> AreaNeedChanged:
        return AreaNeedChanged(
            area_key=self.area_key, level=self.level, area_code=self.code,
            window=self.window, computed_at=computed_at, open_cases=self.open_cases,
            by_band=BandCounts(**{b.value: n for b, n in self.by_band.items()}),
            by_category=self.by_category, imd_decile=self.imd_decile,
            need_index=self.need_index, suppression_threshold=k,
            index_version=index_version)


@dataclass(frozen=True)
class AreaProfile:
    """What the reference data says about an area: size and deprivation."""

    name: str
    population: int
    imd_decile: int
    deprivation: Decimal  # (10 - decile) / 9, population-weighted for a ward


def profiles(geography: Geography) -> dict[AreaRef, AreaProfile]:
    result: dict[AreaRef, AreaProfile] = {}
    members: dict[str, list[tuple[int, int]]] = {}
    for code, area in geography.areas.items():
        result[(AreaLevel.LSOA, code)] = AreaProfile(
            area.name, area.population, area.imd_decile, (10 - Decimal(area.imd_decile)) / 9)
        members.setdefault(area.ward_code, []).append((area.population, area.imd_decile))
    for code, ward in geography.wards.items():
        people = members.get(code, [])
        population = sum(p for p, _ in people) or 1
        decile = sum((Decimal(p * d) for p, d in people), Decimal(0)) / population
        result[(AreaLevel.WARD, code)] = AreaProfile(
            ward.name, population, int(decile.quantize(Decimal(1), ROUND_HALF_UP)),
            (10 - decile) / 9)
    return result


def small_area_counts(buckets: Mapping[str, Counts], geography: Geography, today: date
                      ) -> dict[str, Counts]:
    """Every small area's open cases in both windows, and in the 21 days before the last
    7 (28 days minus 7 days: never published, but readers can work it out)."""
    week = window_counts(buckets, geography, today, WINDOWS["7d"])
    month = window_counts(buckets, geography, today, WINDOWS["28d"])
    result = {}
    for code in geography.areas:
        recent, whole = week[(AreaLevel.LSOA, code)], month[(AreaLevel.LSOA, code)]
        result[code] = {**{f"7d|{c}": n for c, n in recent.items()},
                        **{f"28d|{c}": n for c, n in whole.items()},
                        **{f"older|{c}": whole[c] - n for c, n in recent.items()}}
    return result


def published_needs(small_areas: Mapping[str, Counts], geography: Geography, k: int,
                    weights: NeedIndexWeights) -> dict[str, list[AreaNeed]]:
    """The public figures: wards are the sums of their small areas; both windows are
    suppressed together (with the 21 days before protected, though never published);
    then every count shown is rounded to base 5."""
    combined: dict[AreaRef, Counts] = {(AreaLevel.LSOA, code): dict(cells)
                                       for code, cells in small_areas.items()}
    names = [f"{w}|{c}" for w in ("7d", "28d", "older") for c in ALL_CELLS]
    for code in geography.wards:
        combined[(AreaLevel.WARD, code)] = dict.fromkeys(names, 0)
    for code, cells in small_areas.items():
        ward = combined[(AreaLevel.WARD, geography.areas[code].ward_code)]
        for cell, n in cells.items():
            ward[cell] += n
    suppressed = suppress(combined, _ward_of(geography), k, unpublished=frozenset({"older"}))
    published = {ref: {cell: rounded(n) for cell, n in cells.items()}
                 for ref, cells in suppressed.items()}
    return {window: _window_need(published, window, _profiles(geography), weights)
            for window in WINDOWS}


def area_needs(buckets: Mapping[str, Counts], geography: Geography, today: date, k: int,
               weights: NeedIndexWeights) -> dict[str, list[AreaNeed]]:
    """The public figures of the open cases now, with nothing held back."""
    return published_needs(small_area_counts(buckets, geography, today), geography, k,
                           weights)


def rounded(n: int | None) -> int | None:
    """A shown count to the nearest multiple of ROUNDING_BASE (a withheld one stays
    withheld, 0 stays 0), as official statistics round: a figure then moves only when
    its count crosses a rounding boundary, not with every case."""
    if n is None:
        return None
    return int((Decimal(n) / ROUNDING_BASE).quantize(Decimal(1), ROUND_HALF_UP)) * ROUNDING_BASE


@cache
def _ward_of(geography: Geography) -> dict[str, str]:
    return {code: area.ward_code for code, area in geography.areas.items()}


@cache
def _profiles(geography: Geography) -> dict[AreaRef, AreaProfile]:
    return profiles(geography)


def _window_need(published: Mapping[AreaRef, dict[str, int | None]], window: str,
                 profile: Mapping[AreaRef, AreaProfile], weights: NeedIndexWeights
                 ) -> list[AreaNeed]:
    result = []
    for level in AreaLevel:
        refs = sorted(ref for ref in published if ref[0] == level)
        # Demand uses published totals only: a withheld area counts as no demand, so
        # the index can never be worked back to a withheld count.
        rates = {ref: Decimal(published[ref][f"{window}|{TOTAL}"] or 0)
                 * weights.per_population / profile[ref].population for ref in refs}
        busiest = max(rates.values(), default=Decimal(0))
        for ref in refs:
            demand = rates[ref] / busiest if busiest else Decimal(0)
            index = (Decimal(str(weights.demand_weight)) * demand
                     + Decimal(str(weights.deprivation_weight)) * profile[ref].deprivation)
            cells = {cell.split("|", 1)[1]: n for cell, n in published[ref].items()
                     if cell.startswith(f"{window}|")}
            result.append(AreaNeed(
                level=level, code=ref[1], name=profile[ref].name, window=window,
                population=profile[ref].population, imd_decile=profile[ref].imd_decile,
                open_cases=cells[TOTAL],
                by_band={b: cells[f"band:{b.value}"] for b in Band},
                by_category={c: cells[f"category:{c.value}"] for c in Category},
                need_index=float(index.quantize(Decimal("0.001"), ROUND_HALF_UP))))
    return result
