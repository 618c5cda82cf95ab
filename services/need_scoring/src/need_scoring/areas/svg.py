"""Boundaries as SVG paths, drawn from the reference files: no tiles, no internet.

A plain equirectangular projection, with longitude scaled by the cosine of the
borough's latitude, is exact enough at borough scale and keeps shapes true.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import cache

from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from civic.contracts.common import AreaLevel
from civic.reference import Geography, geography

WIDTH = 800.0


@cache
def area_paths(level: AreaLevel, council: str | None = None
               ) -> tuple[dict[str, str], tuple[float, float]]:
    """{area code: SVG path data}, and the drawing's (width, height)."""
    places = geography(council)
    shapes = _shapes(places, level)
    min_x, min_y, max_x, max_y = _bounds(shapes.values())
    squash = math.cos(math.radians((min_y + max_y) / 2))
    scale = WIDTH / ((max_x - min_x) * squash)
    height = (max_y - min_y) * scale

    def point(x: float, y: float) -> str:
        return f"{(x - min_x) * squash * scale:.1f},{(max_y - y) * scale:.1f}"

    def rings(polygon: Polygon) -> Iterable[str]:
        for ring in (polygon.exterior, *polygon.interiors):
            coords = list(ring.coords)
            yield "M" + "L".join(point(x, y) for x, y in coords[:-1]) + "Z"

    paths = {}
    for code, shape in shapes.items():
        polygons = shape.geoms if isinstance(shape, MultiPolygon) else [shape]
        paths[code] = "".join(r for p in polygons for r in rings(p))
    return paths, (WIDTH, round(height, 1))


def _shapes(places: Geography, level: AreaLevel) -> dict[str, BaseGeometry]:
    if level == AreaLevel.LSOA:
        return {code: area.geometry for code, area in places.areas.items()}
    return {code: ward.geometry for code, ward in places.wards.items()}


def _bounds(shapes: Iterable[BaseGeometry]) -> tuple[float, float, float, float]:
    boxes = [s.bounds for s in shapes]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))
