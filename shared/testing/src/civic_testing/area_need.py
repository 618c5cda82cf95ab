"""Waiting for need scoring's published area figures. They are published on a fixed
schedule (``NEED_SCORING_AREA_PUBLISH_INTERVAL_S``; tests and ``make dev`` use a second
or a few, production an hour), so a test polls the real HTTP API until the figures it
expects appear, and compares them with ``published_count``: what a count looks like
once published."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx


def published_count(n: int, k: int = 10, base: int = 5) -> int | None:
    """A count as need scoring publishes it, written out independently of the service:
    withheld (None) below k, else the nearest multiple of ``base`` (halves up)."""
    return None if n < k else (n + base // 2) // base * base


def wait_for_area_need(base_url: str, code: str, *, level: str = "lsoa",
                       until: Callable[[dict[str, Any]], bool] = lambda _p: True,
                       timeout_s: float = 30, window: str = "7d") -> dict[str, Any]:
    """The area's figures from /v1/areas/need (7 days unless ``window`` says otherwise),
    once ``until`` holds of them."""
    deadline = time.monotonic() + timeout_s
    properties: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = httpx.get(f"{base_url}/v1/areas/need",
                             params={"level": level, "window": window})
        if response.status_code == 200:
            features = {f["id"]: f for f in response.json()["features"]}
            properties = features[code]["properties"]
            if until(properties):
                return properties
        time.sleep(0.3)
    raise AssertionError(f"{level} {code} never reached the expected figures: {properties}")
