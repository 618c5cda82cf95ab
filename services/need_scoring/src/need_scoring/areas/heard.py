"""Area need as published on ``areas.need``, for the workers that do not publish it.

Only the area owner (``stream/area_counting.py``) computes figures; every worker serves
the map and the GeoJSON API. So each worker reads the compacted topic whole (civic's
``CompactedReader``) and serves the newest figure of every area, exactly what the owner
published: suppressed and rounded, never recomputed. The owner itself serves its own
snapshot, which is what it publishes.
"""

from __future__ import annotations

import threading
from datetime import datetime

from civic.contracts import EventPayload
from civic.contracts.common import AreaLevel, Band, Category
from civic.contracts.scoring import AreaNeedChanged
from civic.reference import Geography
from need_scoring.areas.need import AreaNeed, AreaProfile, profiles


class HeardAreaNeed:
    def __init__(self, geography: Geography) -> None:
        self._profiles: dict[tuple[AreaLevel, str], AreaProfile] = profiles(geography)
        self._latest: dict[str, AreaNeedChanged] = {}
        self._lock = threading.Lock()  # heard on the reader's thread, read on the loop

    def heard(self, payload: EventPayload) -> None:
        if not isinstance(payload, AreaNeedChanged):
            return
        if (payload.level, payload.area_code) not in self._profiles:
            return  # another borough's area: not on this service's map
        with self._lock:
            held = self._latest.get(payload.area_key)
            if held is None or payload.computed_at >= held.computed_at:
                self._latest[payload.area_key] = payload

    def figures(self) -> tuple[dict[str, list[AreaNeed]], datetime | None]:
        """Per window, every area heard, in the order a snapshot lists them; and when
        the newest of them was published."""
        with self._lock:
            latest = list(self._latest.values())
        by_window: dict[str, list[AreaNeed]] = {}
        for event in sorted(latest, key=lambda e: (list(AreaLevel).index(e.level),
                                                    e.area_code)):
            by_window.setdefault(event.window, []).append(self._need(event))
        return by_window, max((e.computed_at for e in latest), default=None)

    def _need(self, event: AreaNeedChanged) -> AreaNeed:
        profile = self._profiles[(event.level, event.area_code)]
        bands = event.by_band.model_dump()
        return AreaNeed(
            level=event.level, code=event.area_code, name=profile.name, window=event.window,
            population=profile.population, imd_decile=event.imd_decile or profile.imd_decile,
            open_cases=event.open_cases, by_band={b: bands[b.value] for b in Band},
            by_category={c: event.by_category.get(c) for c in Category},
            need_index=event.need_index or 0.0)
