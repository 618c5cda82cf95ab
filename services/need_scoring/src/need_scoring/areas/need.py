"""Area need per window: suppressed counts and the published need index."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from civic.contracts.common import AreaLevel, Band, Category
from civic.contracts.scoring import AreaNeedChanged, BandCounts
from civic.reference import Geography
from need_scoring.areas.counts import TOTAL, WINDOWS, AreaRef, Counts, window_counts
from need_scoring.areas.suppression import suppress
from need_scoring.policy import NeedIndexWeights


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


def area_needs(buckets: Mapping[str, Counts], geography: Geography, today: date, k: int,
               weights: NeedIndexWeights) -> dict[str, list[AreaNeed]]:
    """Both windows, suppressed together: 28 days minus 7 days is the 21 days before,
    so those counts are protected too, though never published."""
    week = window_counts(buckets, geography, today, WINDOWS["7d"])
    month = window_counts(buckets, geography, today, WINDOWS["28d"])
    combined = {ref: {**{f"7d|{c}": n for c, n in week[ref].items()},
                      **{f"28d|{c}": n for c, n in month[ref].items()},
                      **{f"older|{c}": month[ref][c] - n for c, n in week[ref].items()}}
                for ref in month}
    published = suppress(combined, _ward_of(geography), k, unpublished=frozenset({"older"}))
    return {window: _window_need(published, window, _profiles(geography), weights)
            for window in WINDOWS}


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
