"""Area need as GeoJSON features, with the boundaries from the reference data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shapely.geometry import mapping

from civic.contracts.common import AreaLevel
from civic.reference import Geography
from need_scoring.areas.need import AreaNeed


def feature_collection(needs: list[AreaNeed], level: AreaLevel, window: str,
                       geography: Geography, computed_at: datetime | None, k: int,
                       index_version: str) -> dict[str, Any]:
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
            "computed_at": computed_at.isoformat() if computed_at else None,
            "suppression_threshold": k, "index_version": index_version,
            "note": f"Counts below {k} are null, and so are counts withheld so that "
                    "totals cannot reveal them.",
        },
    }
