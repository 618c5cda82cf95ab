"""GET /map: the heat map, drawn on the server as SVG, with a filter that works without
JavaScript and a table of the same figures. Public: every figure is suppressed."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from civic.contracts.common import AreaLevel, Category
from need_scoring.areas.counts import WINDOWS
from need_scoring.areas.endpoints import Window
from need_scoring.areas.heatmap import COLOURS, heatmap
from need_scoring.areas.need import ROUNDING_BASE
from need_scoring.areas.publication import describe_interval
from need_scoring.areas.service import category as chosen_category
from need_scoring.areas.svg import area_paths
from need_scoring.dependencies import Areas, Config

router = APIRouter(tags=["areas"])
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
LEVELS = [("ward", "Wards"), ("lsoa", "Small areas (LSOAs)")]
PERIODS = [("7d", "Last 7 days"), ("28d", "Last 28 days")]
CATEGORIES = [("all", "Need index (all needs)")] + [
    (c.value, f"Open cases: {c.value.replace('_', ' ')}") for c in Category]


@router.get("/map", response_class=HTMLResponse, summary="Heat map of open need",
            responses={503: {"description": "Area need has not been computed yet"}})
def get_map(request: Request, area_need: Areas, settings: Config,
            level: AreaLevel = Query(AreaLevel.WARD),
            window: Window = Query(Window.TWENTY_EIGHT_DAYS),
            category: str = Query("all", pattern="^[a-z_]+$")) -> HTMLResponse:
    chosen = chosen_category(category)
    needs = area_need.figures(level, window.value)
    k = area_need.suppression_k
    computed_at, next_at = area_need.computed_at, area_need.next_at
    areas, legend = heatmap(needs, chosen, k)
    paths, (width, height) = area_paths(level)
    measure = ("the need index" if chosen is None
               else f"open cases needing help with {chosen.value.replace('_', ' ')}")
    status = 200 if needs else 503
    return templates.TemplateResponse(request, "map.html", status_code=status, context={
        "council": settings.council_name, "level": level.value,
        "level_name": "ward" if level == AreaLevel.WARD else "small area",
        "window": window.value, "window_days": WINDOWS[window.value],
        "category": category, "levels": LEVELS, "windows": PERIODS,
        "categories": CATEGORIES, "areas": areas, "legend": legend, "colours": COLOURS,
        "paths": paths, "width": width, "height": height, "k": k,
        "measure_name": measure,
        "measure_description": (
            "Colour shows the need index, which combines open cases per resident with "
            "the area's deprivation (IMD 2019), using the published weights."
            if chosen is None else f"Colour shows the number of {measure}."),
        "computed_at": computed_at.strftime("%d %B %Y, %H:%M UTC") if computed_at else None,
        "next_at": next_at.strftime("%d %B %Y, %H:%M UTC") if next_at else None,
        "every": describe_interval(area_need.interval_s), "rounding": ROUNDING_BASE,
    })
