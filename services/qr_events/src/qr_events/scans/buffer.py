"""Scans accepted but not yet written: the only place a scan lives in memory.

A redirect adds its scan here and answers at once; the writer (``scans/writing.py``)
takes them in batches into the database and its outbox. So the broker is never on the
redirect's path, and neither is the database unless it falls behind: when ``capacity``
scans are unsaved (buffered or being written), the next redirect waits for room.
That is what bounds the loss in a hard crash: at most ``capacity`` scans.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime

from civic.contracts.qr import ScanOutcome, ScanVia
from qr_events.codes.view import CodeState


@dataclass(slots=True)
class PendingScan:
    scan_id: uuid.UUID
    at: datetime
    outcome: ScanOutcome
    via: ScanVia
    state: CodeState | None
    well_formed_code: str | None  # for an unknown code that was at least well formed
    method: str
    # Held only until the batch is written: hashed with the day's salt, then dropped.
    client: str
    user_agent: str


class ScanBuffer:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: list[PendingScan] = []
        self._in_flight = 0
        self._lock = threading.Lock()
        self.wake = threading.Event()  # set when a batch is worth writing now

    def offer(self, scan: PendingScan) -> bool:
        """Add the scan if there is room; False means the caller waits and asks again."""
        with self._lock:
            if len(self._items) + self._in_flight >= self.capacity:
                self.wake.set()
                return False
            self._items.append(scan)
            if len(self._items) >= max(1, self.capacity // 2):
                self.wake.set()
            return True

    def take(self) -> list[PendingScan]:
        """Everything buffered, now counted as in flight until done()."""
        with self._lock:
            batch, self._items = self._items, []
            self._in_flight += len(batch)
            return batch

    def done(self, count: int) -> None:
        with self._lock:
            self._in_flight -= count

    @property
    def unsaved(self) -> int:
        with self._lock:
            return len(self._items) + self._in_flight
