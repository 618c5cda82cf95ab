"""Area need as GeoJSON features, with the boundaries from the reference data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shapely.geometry import mapping

from civic.contracts.common import AreaLevel
from civic.reference import Geography
from need_scoring.areas.need import ROUNDING_BASE, AreaNeed
from need_scoring.areas.publication import MIN_CHANGES, describe_interval


@dataclass(frozen=True)
class Schedule:
    published_at: datetime | None
    next_at: datetime | None
    interval_s: float


def feature_collection(needs: list[AreaNeed], level: AreaLevel, window: str,
                       geography: Geography, k: int, index_version: str,
                       schedule: Schedule) -> dict[str, Any]:
    shapes = ({c: a.geometry for c, a in geography.areas.items()} if level == AreaLevel.LSOA
              else {c: w.geometry for c, w in geography.wards.items()})
    features = [{
        "type": "Feature",
        "id": need.code,
        "geometry": mapping(shapes[need.code]),
        "properties": {
            "code": need.code, "name": need.name, "level": need.level.value,
            "window": window, "population": need.population, "imd_decile": need.imd_decile,
            "open_cases": need.open_cases,
            "by_band": {b.value: n for b, n in need.by_band.items()},
            "by_category": {c.value: n for c, n in need.by_category.items()},
            "need_index": need.need_index,
        },
    } for need in needs if need.level == level and need.window == window]
    return {
        "type": "FeatureCollection",
        "features": features,
        "metadata": {
            "level": level.value, "window": window,
            "computed_at": _iso(schedule.published_at),
            "next_publication_at": _iso(schedule.next_at),
            "publication_interval_seconds": schedule.interval_s,
            "suppression_threshold": k, "rounding_base": ROUNDING_BASE,
            "index_version": index_version,
            "note": f"Published {describe_interval(schedule.interval_s)} on a fixed "
                    "schedule; these are the figures of the last publication. Counts "
                    f"below {k} are null, and so are counts withheld so that totals cannot "
                    f"reveal them. Every other count is rounded to the nearest "
                    f"{ROUNDING_BASE}, so totals may not add up exactly. A small area's "
                    f"counts change only when at least {MIN_CHANGES} cases have come, gone "
                    "or changed in it.",
        },
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
