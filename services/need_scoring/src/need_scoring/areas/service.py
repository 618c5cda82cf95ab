"""Open need per area, as last published on the schedule: every figure suppressed and
rounded. Between snapshots this serves the last one, never live counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from civic.contracts.common import AreaLevel, Category
from civic.errors import InvalidInput, Unavailable
from need_scoring.areas.geojson import Schedule, feature_collection
from need_scoring.areas.need import AreaNeed
from need_scoring.stream.faust_app import NeedStream


class AreaNeedService:
    def __init__(self, stream: NeedStream) -> None:
        self.stream = stream

    @property
    def suppression_k(self) -> int:
        return self.stream.settings.suppression_k

    @property
    def computed_at(self) -> datetime | None:
        return self.stream.areas.area_need_at

    @property
    def next_at(self) -> datetime | None:
        return self.stream.areas.next_at

    @property
    def interval_s(self) -> float:
        return self.stream.areas.interval_s

    def geojson(self, level: AreaLevel, window: str) -> dict[str, Any]:
        figures = self.stream.areas.area_need
        if window not in figures:
            raise Unavailable("Not ready", "Area need is computed shortly after start; "
                              "try again in a few seconds.", slug="not-ready",
                              retry_after_s=5)
        return feature_collection(figures[window], level, window,
                                  self.stream.processor.geography, self.suppression_k,
                                  self.stream.policy.need_index.version,
                                  Schedule(self.computed_at, self.next_at, self.interval_s))

    def figures(self, level: AreaLevel, window: str) -> list[AreaNeed]:
        """What the map draws: empty until the first snapshot."""
        return [n for n in self.stream.areas.area_need.get(window, []) if n.level == level]


def category(value: str) -> Category | None:
    """``all`` or one category, for the map's filter."""
    if value == "all":
        return None
    try:
        return Category(value)
    except ValueError:
        raise InvalidInput("Unknown category", f"'{value}' is not a category; choose all "
                           "or one of: " + ", ".join(c.value for c in Category),
                           slug="unknown-category") from None
