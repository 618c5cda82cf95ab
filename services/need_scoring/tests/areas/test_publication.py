"""When area need is published, and what is served in between: snapshots on a fixed
schedule, the last one served until the next, counts rounded to base 5.

The publisher runs here over a stand-in for the stream (buckets, a lock, a send that
records), with a clock the test moves; the running service is tested over the real
broker in tests/stream/test_area_need_stream.py."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from civic.contracts.common import AreaLevel, Band, Category
from civic.contracts.envelope import KafkaRecord, decode
from civic.contracts.scoring import AreaNeedChanged
from civic.reference import Geography, geography
from civic_testing import run_coroutine
from need_scoring.areas.counts import Counts, Footprint, move
from need_scoring.areas.need import area_needs, rounded
from need_scoring.areas.publication import describe_interval, next_snapshot_at, snapshot_due
from need_scoring.policy import load_policy
from need_scoring.settings import Settings
from need_scoring.stream.area_publishing import AreaNeedPublisher

from ..conftest import POLICY_FILE

CAMDEN = geography()
WARD = "E05000137"
ONE_WARD = Geography("camden", [CAMDEN.wards[WARD]],
                     [a for a in CAMDEN.areas.values() if a.ward_code == WARD], {})
LSOA = sorted(ONE_WARD.areas)[0]
HOUR = 3600.0


def at(hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(2026, 11, 21, hh, mm, ss, tzinfo=UTC)


def test_counts_are_rounded_to_the_nearest_5_and_withheld_ones_stay_withheld() -> None:
    assert [rounded(n) for n in (0, 10, 12, 13, 17, 18, 22, 23, 100)] == [
        0, 10, 10, 15, 15, 20, 20, 25, 100]
    assert rounded(None) is None


def test_snapshots_follow_the_clock_not_the_counts() -> None:
    """On the hour for an hour; the first at once; after a start mid-hour, the next on
    the first hour at least half an hour later, so no two snapshots come close."""
    assert snapshot_due(None, at(10, 20), HOUR)
    assert next_snapshot_at(at(10, 0, 4), HOUR) == at(11, 0)
    assert next_snapshot_at(at(10, 20), HOUR) == at(11, 0)
    assert next_snapshot_at(at(10, 45), HOUR) == at(12, 0)
    assert not snapshot_due(at(10, 0, 4), at(10, 59, 59), HOUR)
    assert snapshot_due(at(10, 0, 4), at(11, 0, 0), HOUR)
    assert next_snapshot_at(at(10, 7), 15 * 60) == at(10, 15)
    assert next_snapshot_at(at(10, 8), 15 * 60) == at(10, 30)
    assert describe_interval(HOUR) == "every hour"
    assert describe_interval(900) == "every 15 minutes"
    assert describe_interval(1) == "every second"


def test_the_interval_is_an_hour_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().area_publish_interval_s == HOUR
    monkeypatch.setenv("NEED_SCORING_AREA_PUBLISH_INTERVAL_S", "5")
    configured = Settings()
    assert configured.area_publish_interval_s == 5
    assert configured.area_publish_seconds <= 5, "the timer checks at least as often"


class Stream:
    """What the publisher reads from the running stream, and a send that records (or
    fails, while `broker_away`)."""

    def __init__(self) -> None:
        self.state_lock = asyncio.Lock()
        self.buckets: dict[str, Counts] = {}
        self.settings = Settings(area_publish_interval_s=HOUR)
        self.policy = load_policy(POLICY_FILE)
        self.processor = SimpleNamespace(geography=ONE_WARD)
        self.metrics = SimpleNamespace(area_publish_seconds=SimpleNamespace(
            observe=lambda _s: None))
        self.sent: list[AreaNeedChanged] = []
        self.broker_away = False

    def owns_area_counts(self) -> bool:
        return True

    async def send(self, record: KafkaRecord) -> asyncio.Future[Any]:
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.broker_away:
            done.set_exception(ConnectionError("broker away"))
        else:
            payload = decode(record.headers, record.value, record.key).payload
            assert isinstance(payload, AreaNeedChanged)
            self.sent.append(payload)
            done.set_result(None)
        return done


def file_cases(stream: Stream, n: int, today: date) -> None:
    for _ in range(n):
        move(stream.buckets, None, Footprint(LSOA, today, Band.HIGH, (Category.FOOD,)))


def served(publisher: AreaNeedPublisher) -> int | None:
    return next(n.open_cases for n in publisher.area_need["7d"]
                if n.level == AreaLevel.LSOA and n.code == LSOA)


def test_the_last_snapshot_is_served_until_the_next_scheduled_one() -> None:
    """Seen to fail when publish() took a snapshot on every tick (the old behaviour):
    the 23 cases filed at 10:30 were served, and published, at once."""
    stream = Stream()
    publisher = AreaNeedPublisher(stream)  # type: ignore[arg-type]

    async def run() -> None:
        publisher.clock = lambda: at(10, 0, 3)
        await publisher.publish()
        assert served(publisher) is None and publisher.next_at == at(11, 0)
        first = len(stream.sent)
        file_cases(stream, 23, at(10, 30).date())
        for minute in (30, 45, 59):
            publisher.clock = lambda m=minute: at(10, m)  # type: ignore[misc]
            await publisher.publish()
            assert served(publisher) is None, f"live counts served at 10:{minute}"
        assert len(stream.sent) == first, "published before its time"
        publisher.clock = lambda: at(11, 0, 2)
        await publisher.publish()
        assert served(publisher) == 25  # 23, rounded
        mine = [e for e in stream.sent[first:] if e.area_key == f"lsoa:{LSOA}:7d"]
        assert [e.open_cases for e in mine] == [25]
        assert publisher.area_need_at == at(11, 0, 2)

    run_coroutine(run())


def test_figures_the_broker_did_not_acknowledge_are_sent_again_unchanged() -> None:
    """A failed send is repeated on the next tick with the same snapshot: no snapshot
    off the schedule."""
    stream = Stream()
    publisher = AreaNeedPublisher(stream)  # type: ignore[arg-type]

    async def run() -> None:
        file_cases(stream, 12, at(10, 0).date())
        stream.broker_away = True
        publisher.clock = lambda: at(10, 0, 3)
        await publisher.publish()
        assert served(publisher) == 10, "served even while the broker is away"
        assert stream.sent == []
        stream.broker_away = False
        file_cases(stream, 5, at(10, 0).date())
        publisher.clock = lambda: at(10, 0, 13)
        await publisher.publish()
        mine = [e.open_cases for e in stream.sent if e.area_key == f"lsoa:{LSOA}:7d"]
        assert mine == [10], "the 10:00 snapshot, not the counts at 10:00:13"
        assert publisher.area_need_at == at(10, 0, 3)

    run_coroutine(run())


def test_a_day_s_snapshots_are_24_whatever_the_ticks() -> None:
    stream = Stream()
    publisher = AreaNeedPublisher(stream)  # type: ignore[arg-type]
    taken: list[datetime] = []

    async def run() -> None:
        moment = at(0, 0, 1)
        while moment < at(0, 0, 1) + timedelta(days=1):
            publisher.clock = lambda m=moment: m  # type: ignore[misc]
            before = publisher.area_need_at
            await publisher.publish()
            if publisher.area_need_at != before:
                taken.append(moment)
            moment += timedelta(seconds=610)  # a slow, irregular tick

    run_coroutine(run())
    assert len(taken) == 24
    assert all(t.minute < 11 for t in taken), "each within a tick of the hour"


def test_the_need_index_uses_the_rounded_counts_so_it_cannot_give_the_exact_one_away(
        ) -> None:
    """Seen to fail when published_needs computed the index before rounding: 11 and 12
    open cases, both published as 10, gave different indexes."""
    busy, other = sorted(ONE_WARD.areas)[:2]
    weights = load_policy(POLICY_FILE).need_index
    indexes = []
    for n in (11, 12):
        buckets: dict[str, Counts] = {}
        for code, count in ((busy, n), (other, 30)):
            for _ in range(count):
                move(buckets, None, Footprint(code, at(9, 0).date(), Band.LOW, (Category.FOOD,)))
        needs = area_needs(buckets, ONE_WARD, at(9, 0).date(), 10, weights)
        indexes.append({(x.code, x.window): x.need_index for x in needs["7d"] + needs["28d"]})
        assert {x.open_cases for x in needs["7d"] if x.code == busy} == {10}
    assert indexes[0] == indexes[1]


def test_overlapping_publications_take_one_snapshot_not_two() -> None:
    """The first publication after start and the timer's tick can overlap; without a lock
    both saw no snapshot yet and took one each, against the same baseline."""
    taken: list[int] = []
    publisher = AreaNeedPublisher.__new__(AreaNeedPublisher)
    publisher.area_need_at = None
    publisher._stream = SimpleNamespace(settings=SimpleNamespace(area_publish_interval_s=3600),
                                        owns_area_counts=lambda: True)
    publisher._publishing = asyncio.Lock()
    publisher.clock = lambda: datetime(2026, 11, 26, 10, 0, tzinfo=UTC)

    async def snapshot() -> None:
        await asyncio.sleep(0.01)  # the suppression runs in a thread meanwhile
        taken.append(1)
        publisher.area_need_at = publisher.clock()

    async def nothing_unsent() -> None:
        return None

    publisher._snapshot, publisher._send_unsent = snapshot, nothing_unsent

    async def both() -> None:
        await asyncio.gather(publisher.publish(), publisher.publish())

    run_coroutine(both())
    assert len(taken) == 1
