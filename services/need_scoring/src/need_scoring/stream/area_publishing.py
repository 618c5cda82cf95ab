"""Area need: every few seconds, a consistent snapshot of the open-case buckets is
turned into suppressed figures per ward and small area, served at once and published
to ``areas.need`` where they changed. Only what the broker acknowledged counts as
published, so a failed tick is simply repeated by the next one."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from datetime import UTC, date, datetime
from typing import Any, Protocol

from civic.contracts.envelope import KafkaRecord, encode
from civic.contracts.scoring import AreaNeedChanged
from need_scoring import IDENTITY
from need_scoring.areas.counts import Counts, expired_keys
from need_scoring.areas.need import AreaNeed, area_needs
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

log = logging.getLogger(__name__)


class AreaNeedPublisher:
    def __init__(self, stream: StreamState) -> None:
        self._stream = stream
        self.area_need: dict[str, list[AreaNeed]] = {}
        self.area_need_at: datetime | None = None
        self._published: dict[str, dict[str, Any]] = {}

    async def publish(self) -> None:
        # A failure here (the broker away, the app stopping) must not crash the app:
        # the next tick computes everything again from the tables.
        try:
            await self._publish()
        except Exception:
            log.warning("area need not published this time; retrying next tick",
                        exc_info=True)

    async def _publish(self) -> None:
        started = time.perf_counter()
        today = datetime.now(UTC).date()
        async with self._stream.state_lock:  # a consistent snapshot, between batches
            for key in expired_keys(self._stream.buckets, today):
                del self._stream.buckets[key]
            snapshot: dict[str, Counts] = {k: dict(v) for k, v in self._stream.buckets.items()}
        # Suppression solves small linear programmes: keep them off the event loop.
        results = await asyncio.get_running_loop().run_in_executor(
            None, self._compute_area_need, snapshot, today)
        computed_at = datetime.now(UTC)
        # Served at once, even if the broker is away; published below.
        self.area_need, self.area_need_at = results, computed_at
        events = [need.event(computed_at, self._stream.settings.suppression_k,
                             self._stream.policy.need_index.version)
                  for needs in results.values() for need in needs]
        changed = [event for event in events if self._changed(event)]
        acks = [await self._stream.send(encode(event, source=IDENTITY.event_source))
                for event in changed]
        await asyncio.gather(*acks)
        for event in changed:  # only what the broker acknowledged counts as published
            self._published[event.area_key] = self._comparable(event)
        self._stream.metrics.area_publish_seconds.observe(time.perf_counter() - started)

    def _compute_area_need(self, snapshot: dict[str, Counts],
                           today: date) -> dict[str, list[AreaNeed]]:
        return area_needs(snapshot, self._stream.processor.geography, today,
                          self._stream.settings.suppression_k, self._stream.policy.need_index)

    @staticmethod
    def _comparable(event: AreaNeedChanged) -> dict[str, Any]:
        return event.model_dump(mode="json", exclude={"computed_at"})

    def _changed(self, event: AreaNeedChanged) -> bool:
        return self._published.get(event.area_key) != self._comparable(event)
