"""Waiting for need scoring's published area figures: they are recomputed every few
seconds, so a test polls the real HTTP API until the figures it expects appear."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx


def wait_for_area_need(base_url: str, code: str, *, level: str = "lsoa",
                       until: Callable[[dict[str, Any]], bool] = lambda _p: True,
                       timeout_s: float = 30) -> dict[str, Any]:
    """The area's 7-day figures from /v1/areas/need, once ``until`` holds of them."""
    deadline = time.monotonic() + timeout_s
    properties: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = httpx.get(f"{base_url}/v1/areas/need",
                             params={"level": level, "window": "7d"})
        if response.status_code == 200:
            features = {f["id"]: f for f in response.json()["features"]}
            properties = features[code]["properties"]
            if until(properties):
                return properties
        time.sleep(0.3)
    raise AssertionError(f"{level} {code} never reached the expected figures: {properties}")
