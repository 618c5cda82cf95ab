"""GET /v1/areas/need: open need per ward or small area, as GeoJSON. Public: every
figure in it has passed small-number suppression."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Query

from civic.contracts.common import AreaLevel
from civic.http.problems import PROBLEM_RESPONSES
from need_scoring.dependencies import Areas

router = APIRouter(prefix="/v1/areas", tags=["areas"], responses=PROBLEM_RESPONSES)


class Window(StrEnum):
    SEVEN_DAYS = "7d"
    TWENTY_EIGHT_DAYS = "28d"


@router.get("/need", summary="Open need per area as GeoJSON",
            responses={503: {"description": "Area need has not been computed yet"}})
def get_area_need(areas: Areas, level: AreaLevel = Query(AreaLevel.WARD),
                  window: Window = Query(Window.TWENTY_EIGHT_DAYS)) -> dict[str, Any]:
    return areas.geojson(level, window.value)
