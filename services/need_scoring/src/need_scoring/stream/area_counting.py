"""The area owner's agent: every case's footprint, from whichever worker scores it, into
the open-case buckets that area need is computed from (``stream/footprints.py``).

The footprints topic has one partition, so exactly one worker of the group runs this
agent's work at a time, and its tables (footprints and buckets, one partition each)
move with it when it goes. A batch is acknowledged after its changes are in the tables;
one handled again (after a crash) changes nothing, since a footprint told twice counts
once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import faust

from need_scoring.areas.counts import AreaCounts
from need_scoring.stream.footprints import parse
from need_scoring.stream.staging import StagedTable

if TYPE_CHECKING:
    from need_scoring.stream.faust_app import NeedStream

log = logging.getLogger(__name__)


class AreaCounting:
    def __init__(self, stream: NeedStream) -> None:
        self.stream = stream
        self.counted_total = 0

    async def count(self, events: faust.StreamT[bytes]) -> None:
        stream = self.stream
        # (faust's StreamT does not declare noack_take)
        async for batch in events.noack_take(  # type: ignore[attr-defined]
                stream.settings.batch_size, within=stream.settings.batch_wait_seconds):
            # Under the lock: the area timer's snapshot sees whole batches only.
            async with stream.state_lock:
                buckets = StagedTable(stream.buckets)
                counts = AreaCounts(stream.footprints, buckets)
                try:
                    for event in batch:
                        self._count(event, counts)
                finally:
                    buckets.flush()
            for event in batch:
                await events.ack(event)

    def _count(self, event: Any, counts: AreaCounts) -> None:
        try:
            footprints = parse(event.value)
        except (KeyError, ValueError, TypeError) as exc:
            message = event.message
            log.error("skipped %s[%d]@%d, not footprints: %s", message.topic,
                      message.partition, message.offset, type(exc).__name__)
            return
        for told in footprints:
            counts.changed(told.case_id, told.revision, told.footprint)
        self.counted_total += len(footprints)
