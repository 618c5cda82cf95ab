"""The scan writer: buffered scans into the database, the outbox and the day's
aggregates, in one transaction per batch, off the redirect's path.

Per batch it hashes each device with the day's salt, marks a device's repeat scans of
a code within the window (against the database and earlier scans of the batch),
classifies the device, and writes raw records, daily aggregates and one ``qr.scans``
event per scan. A batch that fails to write stays in flight and is tried again: a
database outage delays scans, it doesn't lose them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from civic import outbox
from civic.contracts.qr import DeviceClass, QrScanned, ScanOutcome
from civic.db import write_lock
from civic.process import taking_turns
from qr_events import IDENTITY
from qr_events.metrics import ScanMetrics
from qr_events.scans import repository
from qr_events.scans.buffer import PendingScan, ScanBuffer
from qr_events.scans.devices import classify
from qr_events.scans.salts import DailySalts

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
HOUSEKEEPING_EVERY = timedelta(minutes=1)
ISOLATE_AFTER = 3  # failed batch writes in a row before scans are written one by one
STOP_GRACE_S = 8.0  # how long a graceful stop keeps trying to write what is buffered
# Errors that say a scan itself is wrong, not that the database is away.
DEFECTS = (ValueError, TypeError, DataError, IntegrityError)


class ScanWriter:
    def __init__(self, engine: Engine, sessions: sessionmaker[Session], buffer: ScanBuffer,
                 metrics: ScanMetrics, *, interval_s: float, repeat_window: timedelta,
                 retention: timedelta, on_publish: Callable[[], None] = lambda: None,
                 clock: Clock = lambda: datetime.now(UTC)) -> None:
        self.engine, self.sessions, self.buffer = engine, sessions, buffer
        self.metrics = metrics
        self.interval_s = interval_s
        self.repeat_window = repeat_window
        self.retention = retention
        self.on_publish = on_publish
        self.clock = clock
        self.salts = DailySalts()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_housekeeping = datetime.min.replace(tzinfo=UTC)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="scan-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = STOP_GRACE_S + 5) -> None:
        """Write what is buffered (trying for up to STOP_GRACE_S), then stop."""
        self._stop.set()
        self.buffer.wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def run(self) -> None:
        batch: list[PendingScan] = []
        failures = 0
        give_up_at: float | None = None
        while True:
            stopping = self._stop.is_set()
            if stopping and give_up_at is None:
                give_up_at = time.monotonic() + STOP_GRACE_S
            if not stopping:
                self.buffer.wake.wait(self.interval_s)
                self.buffer.wake.clear()
            if not batch:
                batch = self.buffer.take()
            try:
                if batch:
                    self.write(batch)
                    self.buffer.done(len(batch))
                    batch = []
                self._housekeep()
                failures = 0
            except Exception as exc:  # the batch stays in flight and is tried again
                failures += 1
                log.error("could not write %d scan(s): %s: %s (%d in a row)", len(batch),
                          type(exc).__name__, exc, failures)
                if failures >= ISOLATE_AFTER and batch:
                    left = self._isolate(batch)
                    self.buffer.done(len(batch) - len(left))
                    batch = left
                    if not batch:
                        failures = 0
                        continue
                delay = min(5.0, 0.1 * 2 ** failures)
                if give_up_at is not None:
                    if time.monotonic() + delay > give_up_at:
                        log.error("stopping with %d scan(s) unwritten", self.buffer.unsaved)
                        return
                    time.sleep(delay)  # _stop is set: its wait would not wait
                else:
                    self._stop.wait(delay)
                continue
            if stopping and not self.buffer.unsaved:
                return

    def _isolate(self, batch: list[PendingScan]) -> list[PendingScan]:
        """Write scan by scan, so that one scan that can never be written (a defect: it
        fails validation or a constraint) holds up no other; it is dropped, logged and
        counted. Any other error is an outage: the scans not yet written are returned,
        to wait with the rest."""
        for index, scan in enumerate(batch):
            try:
                self.write([scan])
            except DEFECTS as exc:
                log.error("dropped scan %s, which can't be written: %s: %s", scan.scan_id,
                          type(exc).__name__, exc)
                self.metrics.unwritable.inc()
            except Exception:
                return batch[index:]
        return []

    def write(self, batch: list[PendingScan]) -> None:
        events: list[QrScanned] = []
        with write_lock(self.engine), self.sessions.begin() as session:
            repository.serialise_writers(session)
            rows = self._rows(session, batch)
            repository.add_scans(session, rows)
            repository.add_to_days(session, _day_counts(rows, known=True))
            repository.add_to_orphan_days(session, _day_counts(rows, known=False))
            events = [_event(row, scan)
                      for row, scan in taking_turns(zip(rows, batch, strict=True))]
            outbox.enqueue_many(session.connection(), events,
                                source=IDENTITY.event_source, take_turns=True)
        for event in events:
            self.metrics.scanned(event)
        self.on_publish()

    def _rows(self, session: Session, batch: list[PendingScan]) -> list[dict[str, Any]]:
        hashes = [self.salts.device_hash(self.salts.salt(session, s.at.date()), s.client,
                                         s.user_agent) for s in taking_turns(batch)]
        earliest = min(s.at for s in batch) - self.repeat_window
        last_seen: dict[tuple[str, str], datetime] = {}
        recent = repository.recent_by_device(
            session, hashes, (s.state.code_id for s in batch if s.state),
            (s.well_formed_code for s in batch if s.well_formed_code), earliest)
        for device, code_id, short_code, at in recent:
            key = (device, str(code_id or short_code))
            last_seen[key] = max(at, last_seen.get(key, at))
        rows = []
        for scan, device in taking_turns(sorted(zip(batch, hashes, strict=True),
                                                key=lambda p: p[0].at)):
            code_key = str(scan.state.code_id if scan.state else scan.well_formed_code)
            previous = last_seen.get((device, code_key))
            repeat = previous is not None and scan.at - previous < self.repeat_window
            if not repeat:
                last_seen[(device, code_key)] = scan.at
            rows.append({"id": scan.scan_id, "code_id": scan.state.code_id if scan.state
                         else None, "short_code": scan.state.short_code if scan.state
                         else scan.well_formed_code, "scanned_at": scan.at,
                         "outcome": scan.outcome.value, "via": scan.via.value,
                         "device_class": classify(scan.method, scan.user_agent).value,
                         "repeat": repeat, "device_hash": device})
        by_id = {row["id"]: row for row in rows}
        return [by_id[scan.scan_id] for scan in batch]

    def _housekeep(self) -> None:
        now = self.clock()
        if now < self._next_housekeeping:
            return
        today = now.date()
        self.salts.forget_before(today)
        with write_lock(self.engine), self.sessions.begin() as session:
            cleared = repository.forget_days_before(
                session, today, datetime.combine(today, clock_time.min, tzinfo=UTC))
            expired = repository.delete_scans_before(session, now - self.retention)
        if cleared or expired:
            log.info("forgot %d device hash(es) of earlier days; deleted %d raw scan(s) past "
                     "retention", cleared, expired)
        self._next_housekeeping = now + HOUSEKEEPING_EVERY


def _day_counts(rows: list[dict[str, Any]], *, known: bool) -> list[dict[str, Any]]:
    counts: Counter[tuple[Any, ...]] = Counter()
    repeats: Counter[tuple[Any, ...]] = Counter()
    for row in rows:
        if (row["code_id"] is not None) != known:
            continue
        key = ((row["scanned_at"].date(), row["code_id"], row["outcome"], row["via"],
                row["device_class"]) if known
               else (row["scanned_at"].date(), row["via"], row["device_class"]))
        counts[key] += 0
        if row["repeat"]:
            repeats[key] += 1
        else:
            counts[key] += 1
    names = (("day", "code_id", "outcome", "via", "device_class") if known
             else ("day", "via", "device_class"))
    result = []
    for key, scans in counts.items():
        row = dict(zip(names, key, strict=True)) | {"scans": scans}
        if known:
            row["repeats"] = repeats[key]
        result.append(row)
    return result


def _event(row: dict[str, Any], scan: PendingScan) -> QrScanned:
    state = scan.state
    return QrScanned(
        scan_id=row["id"], scanned_at=row["scanned_at"], outcome=ScanOutcome(row["outcome"]),
        via=scan.via, device_class=DeviceClass(row["device_class"]), repeat=row["repeat"],
        code_id=state.code_id if state else None, short_code=row["short_code"],
        touchpoint=state.touchpoint if state else None,
        campaign=state.campaign if state else None, ward=state.ward if state else None)
