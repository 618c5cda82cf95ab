"""GET /v1/areas/need: open need per ward or small area, as GeoJSON. Public: every
figure in it has passed small-number suppression."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Query, Request

from civic.contracts.common import AreaLevel
from civic.http.problems import Problem
from need_scoring.areas.geojson import feature_collection

router = APIRouter(tags=["areas"])


class Window(StrEnum):
    SEVEN_DAYS = "7d"
    TWENTY_EIGHT_DAYS = "28d"


@router.get("/v1/areas/need", summary="Open need per area as GeoJSON",
            responses={503: {"description": "Area need has not been computed yet"}})
def get_area_need(request: Request, level: AreaLevel = Query(AreaLevel.WARD),
                  window: Window = Query(Window.TWENTY_EIGHT_DAYS)) -> dict[str, Any]:
    stream = request.app.state.stream
    if window.value not in stream.area_need:
        raise Problem(503, "Not ready", "Area need is computed shortly after start; "
                      "try again in a few seconds.", slug="not-ready",
                      headers={"Retry-After": "5"})
    return feature_collection(stream.area_need[window.value], level, window.value,
                              stream.processor.geography, stream.area_need_at,
                              stream.settings.suppression_k,
                              stream.policy.need_index.version)
