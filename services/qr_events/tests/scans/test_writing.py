"""The scan writer on SQLite and PostgreSQL: repeats within the hour count once, bots
apart; no hash outlives its day; raw scans expire and daily aggregates stay; no
address or agent reaches a row or an event.

Mutations seen to fail: measuring the hour from the last scan rather than the last
counted one, keeping the salt of earlier days, and not deleting raw scans past
retention."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from civic.contracts.qr import ScanOutcome, ScanVia, TouchpointKind
from civic.db import ServiceDatabase
from civic.outbox import outbox
from qr_events.codes.view import CodeState
from qr_events.database import schema
from qr_events.metrics import ScanMetrics
from qr_events.scans.buffer import PendingScan, ScanBuffer
from qr_events.scans.models import DailySalt, OrphanScanDay, Scan, ScanDay
from qr_events.scans.writing import ScanWriter

DAY = datetime(2026, 11, 26, 9, tzinfo=UTC)
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"
ADDRESS = "203.0.113.77"


def state(short_code: str = "CAMDENW") -> CodeState:
    return CodeState(code_id=uuid.uuid5(uuid.NAMESPACE_DNS, short_code),
                     short_code=short_code, revision=1,
                     destination_url="https://www.camden.gov.uk/", scheduled_url=None,
                     switch_at=None, valid_from=None, valid_until=None, retired=False,
                     replacement=None, touchpoint=TouchpointKind.POSTER,
                     campaign="winter", ward="E05000139")


def scan(at: datetime, *, code: CodeState | None = None, agent: str = PHONE,
         client: str = ADDRESS, via: ScanVia = ScanVia.SCANNED,
         method: str = "GET") -> PendingScan:
    return PendingScan(scan_id=uuid.uuid4(), at=at,
                       outcome=ScanOutcome.REDIRECTED if code else ScanOutcome.UNKNOWN,
                       via=via, state=code, well_formed_code=None if code else "K7HQ4M7",
                       method=method, client=client, user_agent=agent)


@pytest.fixture
def database(database_url: str) -> Any:
    db = ServiceDatabase(schema(), database_url)
    db.migrate()
    yield db
    db.dispose()


def writer(database: ServiceDatabase, now: datetime) -> ScanWriter:
    return ScanWriter(database.engine, database.sessions, ScanBuffer(100), ScanMetrics(),
                      interval_s=0.05, repeat_window=timedelta(hours=1),
                      retention=timedelta(days=30), clock=lambda: now)


def test_a_device_counts_once_an_hour_per_code(database: ServiceDatabase) -> None:
    poster, leaflet = state("CAMDENW"), state("FEEDMEA")
    scans = writer(database, DAY)
    scans.write([scan(DAY, code=poster), scan(DAY + timedelta(minutes=5), code=poster)])
    scans.write([scan(DAY + timedelta(minutes=59), code=poster),
                 scan(DAY + timedelta(minutes=10), code=leaflet),
                 scan(DAY + timedelta(minutes=10), code=poster, client="198.51.100.1"),
                 scan(DAY + timedelta(minutes=61), code=poster)])
    with database.sessions() as session:
        rows = {(r.code_id, r.via, r.device_class): (r.scans, r.repeats)
                for r in session.scalars(select(ScanDay))}
    # The poster: 0 counts, 5 and 59 minutes repeat it, 61 minutes counts again (an hour
    # after the scan that counted), and another device counts on its own.
    assert rows[(poster.code_id, "scanned", "mobile")] == (3, 2)
    assert rows[(leaflet.code_id, "scanned", "mobile")] == (1, 0)


def test_bots_and_orphans_are_counted_apart(database: ServiceDatabase) -> None:
    scans = writer(database, DAY)
    scans.write([scan(DAY, code=state(), agent="facebookexternalhit/1.1"),
                 scan(DAY, code=state(), method="HEAD"), scan(DAY, via=ScanVia.TYPED)])
    with database.sessions() as session:
        days = {(r.device_class, r.scans) for r in session.scalars(select(ScanDay))}
        orphans = [(r.via, r.device_class, r.scans)
                   for r in session.scalars(select(OrphanScanDay))]
    assert days == {("bot", 2)}  # two devices, both bots: no person's scan among them
    assert orphans == [("typed", "mobile", 1)]


def test_no_address_or_agent_is_stored_or_published(database: ServiceDatabase) -> None:
    writer(database, DAY).write([scan(DAY, code=state()), scan(DAY)])
    with database.engine.connect() as conn:
        stored = [tuple(row) for row in conn.execute(select(Scan.__table__))]
        events = [(r.key, r.value, str(r.headers)) for r in conn.execute(select(outbox))]
    assert len(events) == 2
    everything = repr(stored) + repr(events)
    for secret in (ADDRESS, "iPhone", "Safari"):
        assert secret not in everything


def test_no_hash_outlives_its_day(database: ServiceDatabase) -> None:
    """One writer across midnight: the old salt leaves the database and its memory."""
    later = writer(database, DAY)
    later.write([scan(DAY, code=state())])
    later.write([scan(DAY, code=state("FEEDMEA"))])  # reads the salt back, committed
    assert later.salts._cached is not None and later.salts._cached[0] == DAY.date()
    next_day = DAY + timedelta(days=1)
    later.clock = lambda: next_day
    later._housekeep()
    assert later.salts._cached is None
    later.write([scan(next_day, code=state())])
    later._next_housekeeping = next_day
    later._housekeep()
    with database.sessions() as session:
        hashes = {r.scanned_at.date(): r.device_hash for r in session.scalars(select(Scan))}
        salts = [s.day for s in session.scalars(select(DailySalt))]
    assert hashes[DAY.date()] is None and hashes[next_day.date()] is not None
    assert salts == [next_day.date()]


def test_raw_scans_expire_and_daily_figures_stay(database: ServiceDatabase) -> None:
    writer(database, DAY).write([scan(DAY, code=state())])
    writer(database, DAY + timedelta(days=31))._housekeep()
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Scan)) == 0
        assert session.scalar(select(func.sum(ScanDay.scans))) == 1


def test_a_scan_that_can_never_be_written_holds_up_no_other(database: ServiceDatabase) -> None:
    """Mutation seen to fail: retrying the whole batch for ever (the good scans waited
    behind the bad one until the writer stopped)."""
    buffer = ScanBuffer(100)
    metrics = ScanMetrics()
    before = metrics.unwritable._value.get()
    scans = ScanWriter(database.engine, database.sessions, buffer, metrics, interval_s=0.01,
                       repeat_window=timedelta(hours=1), retention=timedelta(days=30))
    poison = scan(DAY)
    poison.well_formed_code = "not a code"  # its event can never validate
    for pending in (scan(DAY, code=state()), poison, scan(DAY, code=state("FEEDMEA"))):
        assert buffer.offer(pending)
    scans.start()
    deadline = time.monotonic() + 20
    while buffer.unsaved and time.monotonic() < deadline:
        time.sleep(0.05)
    scans.stop()
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Scan)) == 2
    assert metrics.unwritable._value.get() == before + 1
