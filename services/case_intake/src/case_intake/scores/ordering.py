"""Where a case stands in the staff queue, as one ascending number (``queue_key``), so
the queue is one index read in order:

- an open case not scored yet: UNSCORED (-1), before every scored one;
- an open scored case: (3 - band rank) * 1000 + (100 - score), so the most urgent
  band's highest score comes first;
- a case no longer open: the same plus CLOSED_OFFSET, after every open case, so pages
  of open cases never read past closed ones, however many pile up; reopening takes the
  offset off again.
"""

from __future__ import annotations

from civic.contracts.common import Band

OPEN_STATUSES = ("submitted", "triaged", "claimed", "in_progress")
UNSCORED = -1
CLOSED_OFFSET = 10_000
BAND_RANK = {band.value: rank for rank, band in enumerate(Band)}


def queue_key(band: str | None, score: int | None, status: str) -> int:
    if band is None or score is None:
        key = UNSCORED
    else:
        key = (len(BAND_RANK) - 1 - BAND_RANK[band]) * 1000 + (100 - score)
    return key if status in OPEN_STATUSES else key + CLOSED_OFFSET
