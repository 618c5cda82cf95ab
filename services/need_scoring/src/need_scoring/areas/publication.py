"""What the public sees of area need, and when, so that figures cannot be differenced
over time to single out one case.

- **A fixed schedule.** Snapshots are taken at the multiples of the publication
  interval (on the hour for the default of an hour), not whenever a count changes. The
  map, the GeoJSON and ``areas.need`` all show the last snapshot. After a start the
  first snapshot is taken at once, and the next at the first scheduled time at least
  half an interval later.
- **One case never moves a figure.** A small area's counts are carried into a new
  snapshot only when the difference from the counts it last showed takes at least
  ``MIN_CHANGES`` cases to explain, in every window that changed (7 days, 28 days, and
  the 21 days between them that readers can work out). Until then the area keeps its
  last counts, so two consecutive snapshots are the same wherever only one case came,
  went or changed. Wards are the sums of their small areas' counts, so they hold too.
- **Suppression, then rounding** (``need.published_needs``): counts below k and those
  sums would reveal are withheld; every count shown is rounded to the nearest 5.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from civic.reference import Geography
from need_scoring.areas.counts import ALL_CELLS, BAND_CELLS, CATEGORY_CELLS, TOTAL, Counts
from need_scoring.areas.need import AreaNeed, published_needs, small_area_counts
from need_scoring.policy import NeedIndexWeights

MIN_CHANGES = 2


def fewest_cases(before: Counts, after: Counts) -> dict[str, int]:
    """Per window, the fewest cases whose arrival, departure or change explains the
    difference: a case moves one band up and one down at most, and each category and
    the total by one."""
    windows = sorted({cell.split("|")[0] for cell in (*before, *after)})
    result = {}
    for window in windows:
        d = {c: after.get(f"{window}|{c}", 0) - before.get(f"{window}|{c}", 0)
             for c in ALL_CELLS}
        bands = [d[b] for b in BAND_CELLS]
        result[window] = max(sum(n for n in bands if n > 0), -sum(n for n in bands if n < 0),
                             *(abs(d[c]) for c in (TOTAL, *CATEGORY_CELLS)))
    return result


def release(shown: Mapping[str, Counts], now: Mapping[str, Counts], min_changes: int
            ) -> dict[str, Counts]:
    """Each small area's counts for the next snapshot: its current ones if it has none
    yet, or if every window that changed takes at least ``min_changes`` cases to explain;
    else the ones it last showed."""
    result = {}
    for code, counts in now.items():
        before = shown.get(code)
        if before is None:
            result[code] = dict(counts)
            continue
        moved = [n for n in fewest_cases(before, counts).values() if n]
        result[code] = dict(counts) if moved and min(moved) >= min_changes else before
    return result


class PublicFigures:
    """Successive public snapshots of area need, each from the open-case buckets."""

    def __init__(self, geography: Geography, k: int, weights: NeedIndexWeights,
                 min_changes: int = MIN_CHANGES) -> None:
        self.geography = geography
        self.k = k
        self.weights = weights
        self.min_changes = min_changes
        self.shown: dict[str, Counts] = {}  # each small area's counts as last published
        self._last: dict[str, list[AreaNeed]] | None = None

    def snapshot(self, buckets: Mapping[str, Counts], today: date
                 ) -> dict[str, list[AreaNeed]]:
        now = small_area_counts(buckets, self.geography, today)
        shown = release(self.shown, now, self.min_changes)
        if shown != self.shown or self._last is None:  # else the same figures again
            self.shown = shown
            self._last = published_needs(shown, self.geography, self.k, self.weights)
        return self._last


def next_snapshot_at(last: datetime, interval_s: float) -> datetime:
    """The first scheduled time (a multiple of the interval since the Unix epoch) at least
    half an interval after the last snapshot."""
    after = last.timestamp() + interval_s / 2
    return datetime.fromtimestamp(math.ceil(after / interval_s) * interval_s, UTC)


def snapshot_due(last: datetime | None, now: datetime, interval_s: float) -> bool:
    return last is None or now >= next_snapshot_at(last, interval_s)


def describe_interval(interval_s: float) -> str:
    """'every hour', 'every 15 minutes', 'every 10 seconds': for people."""
    for unit, seconds in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if interval_s >= seconds and interval_s % seconds == 0:
            n = int(interval_s // seconds)
            return f"every {unit}" if n == 1 else f"every {n} {unit}s"
    return f"every {timedelta(seconds=interval_s).total_seconds():g} seconds"
