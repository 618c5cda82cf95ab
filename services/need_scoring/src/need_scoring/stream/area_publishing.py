"""Area need, on a fixed schedule (``areas/publication.py``): when a snapshot is due, a
consistent copy of the open-case buckets is turned into public figures per ward and
small area, served at once and published to ``areas.need`` where they changed. Between
snapshots the map and the API keep serving the last one, whatever happens to the counts.

The timer calls ``publish`` every few seconds (``NEED_SCORING_AREA_PUBLISH_SECONDS``);
it takes a snapshot only when one is due (``NEED_SCORING_AREA_PUBLISH_INTERVAL_S``), and
otherwise only resends what the broker has not yet acknowledged. Only what the broker
acknowledged counts as published."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from civic.contracts.envelope import KafkaRecord, encode
from civic.contracts.scoring import AreaNeedChanged
from need_scoring import IDENTITY
from need_scoring.areas.counts import Counts, expired_keys
from need_scoring.areas.heard import HeardAreaNeed
from need_scoring.areas.need import AreaNeed
from need_scoring.areas.publication import PublicFigures, next_snapshot_at, snapshot_due
from need_scoring.metrics import ScoringMetrics
from need_scoring.policy import Policy
from need_scoring.settings import Settings
from need_scoring.stream.processor import CaseProcessor


class StreamState(Protocol):
    """What area publishing reads from the running stream (NeedStream provides it)."""

    state_lock: asyncio.Lock
    buckets: Any  # a faust table: a mutable mapping at run time, which TableT does not declare
    settings: Settings
    policy: Policy
    processor: CaseProcessor
    metrics: ScoringMetrics

    async def send(self, record: KafkaRecord) -> Awaitable[Any]: ...

    def owns_area_counts(self) -> bool: ...

log = logging.getLogger(__name__)


class AreaNeedPublisher:
    def __init__(self, stream: StreamState) -> None:
        self._stream = stream
        self.figures = PublicFigures(stream.processor.geography, stream.settings.suppression_k,
                                     stream.policy.need_index)
        self.area_need: dict[str, list[AreaNeed]] = {}  # the last snapshot: what is served
        self.area_need_at: datetime | None = None
        self.heard = HeardAreaNeed(stream.processor.geography)  # what the owner published
        self._published: dict[str, dict[str, Any]] = {}
        self._unsent: list[AreaNeedChanged] = []
        # The first publication after start and the timer's may overlap: two snapshots
        # against one baseline could differ by a single case.
        self._publishing = asyncio.Lock()
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    @property
    def interval_s(self) -> float:
        return self._stream.settings.area_publish_interval_s

    @property
    def next_at(self) -> datetime | None:
        """When the next snapshot is due (None before the first)."""
        if self.area_need_at is None:
            return None
        return next_snapshot_at(self.area_need_at, self.interval_s)

    async def publish(self) -> None:
        # A failure here (the broker away, the app stopping) must not crash the app: a
        # snapshot not taken is taken on the next tick, and unacknowledged events are
        # sent again then.
        try:
            async with self._publishing:
                if not self._stream.owns_area_counts():
                    # Another worker counts and publishes; this one serves what it heard.
                    heard, heard_at = self.heard.figures()
                    if heard_at is not None:
                        self.area_need, self.area_need_at = heard, heard_at
                    return
                if snapshot_due(self.area_need_at, self.clock(), self.interval_s):
                    await self._snapshot()
                await self._send_unsent()
        except Exception:
            log.warning("area need not published this time; retrying next tick",
                        exc_info=True)

    async def _snapshot(self) -> None:
        started = time.perf_counter()
        today = self.clock().date()
        async with self._stream.state_lock:  # a consistent snapshot, between batches
            if not self._stream.owns_area_counts():
                return  # lost the counts meanwhile: their changelog is another's now
            for key in expired_keys(self._stream.buckets, today):
                del self._stream.buckets[key]
            snapshot: dict[str, Counts] = {k: dict(v) for k, v in self._stream.buckets.items()}
        # Suppression solves small linear programmes: keep them off the event loop.
        results = await asyncio.get_running_loop().run_in_executor(
            None, self.figures.snapshot, snapshot, today)
        taken_at = self.clock()
        # Served at once, even if the broker is away; published below.
        self.area_need, self.area_need_at = results, taken_at
        events = [need.event(taken_at, self._stream.settings.suppression_k,
                             self._stream.policy.need_index.version)
                  for needs in results.values() for need in needs]
        self._unsent = [event for event in events if self._changed(event)]
        self._stream.metrics.area_publish_seconds.observe(time.perf_counter() - started)

    async def _send_unsent(self) -> None:
        if not self._unsent:
            return
        acks = [await self._stream.send(encode(event, source=IDENTITY.event_source))
                for event in self._unsent]
        await asyncio.gather(*acks)
        for event in self._unsent:  # only what the broker acknowledged counts as published
            self._published[event.area_key] = self._comparable(event)
        self._unsent = []

    @staticmethod
    def _comparable(event: AreaNeedChanged) -> dict[str, Any]:
        return event.model_dump(mode="json", exclude={"computed_at"})

    def _changed(self, event: AreaNeedChanged) -> bool:
        return self._published.get(event.area_key) != self._comparable(event)
