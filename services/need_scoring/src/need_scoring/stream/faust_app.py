"""The faust app: one agent scores cases, tracks their lifecycle and applies staff
overrides (``batches.py``); one agent counts open need by area (``area_counting.py``);
one timer publishes area need (``area_publishing.py``).

Several workers share the work through the consumer group. The case table is
co-partitioned with its inputs (``cases.submitted``, ``cases.lifecycle`` and the override
commands: keyed by case id, with the same number of partitions) and written only by the
agent, so each case's state lives with the worker that owns its partition and moves with
it. Area counts need the whole borough, so they are counted by the one worker that owns
the single partition of ``<group>-footprints``, and only that worker publishes area need.

The consumer group is ``need-scoring.<policy version>``. A new policy version is a new
group, which starts at the oldest retained event, so deploying it rescores every case
still on ``cases.submitted`` (replay) and rebuilds its own tables; scores carry their
version, so consumers can tell old from new.

Typing: faust's hints describe its abstract types (StreamT, TableManagerT), which lack
some of what the concrete objects it hands us have; the two lines that use those carry a
narrow ``type: ignore[attr-defined]`` saying which. Nothing else is relaxed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread
import faust
from faust.types import TP, TopicT

from civic.contracts.common import Band
from civic.contracts.envelope import KafkaRecord
from civic.kafka.compacted import CompactedReader
from civic.kafka.handling import RetryPolicy
from civic.kafka.topics import DLQ_SUFFIX
from need_scoring.metrics import ScoringMetrics
from need_scoring.overrides.commands import OVERRIDE_COMMANDS
from need_scoring.policy import Policy
from need_scoring.settings import Settings
from need_scoring.stream.area_counting import AreaCounting
from need_scoring.stream.area_publishing import AreaNeedPublisher
from need_scoring.stream.batches import ScoringBatches
from need_scoring.stream.case_table import ByCaseId
from need_scoring.stream.consumer_lag import record_lag
from need_scoring.stream.processor import CaseProcessor
from need_scoring.stream.transport import app_with_fetch_wait

log = logging.getLogger(__name__)

IN_TOPICS = ("cases.submitted", "cases.lifecycle")
SCORING_INPUTS = (*IN_TOPICS, OVERRIDE_COMMANDS)  # co-partitioned: keyed by case id


class NeedStream:
    """The running stream and what the HTTP side reads from it."""

    def __init__(self, settings: Settings, policy: Policy, processor: CaseProcessor,
                 bootstrap_servers: str, metrics: ScoringMetrics, partitions: int) -> None:
        """``partitions``: of every input, the same (``partitions.copartitioned``)."""
        self.settings = settings
        self.policy = policy
        self.processor = processor
        self.metrics = metrics
        processor.on_stale = lambda event_type: metrics.stale_events.labels(event_type).inc()
        self.group_id = f"need-scoring.{policy.version}"
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.app = app_with_fetch_wait(
            settings.fetch_max_wait_ms, self.group_id, broker=f"kafka://{bootstrap_servers}", store="memory://",
            web_enabled=False, autodiscover=False, topic_disable_leader=True,
            consumer_auto_offset_reset="earliest", datadir=str(settings.data_dir),
            producer_acks=-1, producer_linger=settings.producer_linger_ms / 1000,
            producer_max_batch_size=256 * 1024, broker_max_poll_records=settings.batch_size,
            # A stop need not wait for unacknowledged events: they are read again.
            stream_wait_empty=False, table_standby_replicas=settings.standby_replicas,
            **settings.group_timeouts())

        def raw(*names: str) -> TopicT:
            return self.app.topic(*names, key_type=bytes, value_type=bytes,
                                  key_serializer="raw", value_serializer="raw")
        # Every input is keyed by case id with the same partition count, so a case's
        # events, its override commands and its row of the table share one partition.
        self._in = raw(*SCORING_INPUTS)
        self.footprint_topic = f"{self.group_id}-footprints"
        self._footprints = self.app.topic(
            self.footprint_topic, key_type=bytes, value_type=bytes, key_serializer="raw",
            value_serializer="raw", partitions=1, internal=True)
        self._out = {name: raw(name) for name in (
            "cases.scored", "areas.need", OVERRIDE_COMMANDS,
            *(t + DLQ_SUFFIX for t in IN_TOPICS))}
        self._out[self.footprint_topic] = self._footprints
        # Written only in the scoring agent, each row to its case's partition. Standby
        # copies apply each change as it comes (faust would wait for 1,000), so every
        # worker answers reads about every case from a copy seconds old at most.
        self.cases = ByCaseId(self.app.Table(
            "cases", default=dict, key_type=bytes, value_type=None, partitions=partitions,
            use_partitioner=True, standby_buffer_size=1))
        # The area owner's, with one partition, so use_partitioner always lands on it:
        # footprints in its agent, buckets there and by the expiry in its timer.
        self.footprints = self.app.Table("case-footprints", default=dict, key_type=str,
                                         value_type=None, partitions=1, use_partitioner=True)
        self.buckets = self.app.Table("open-case-buckets", default=dict, key_type=str,
                                      value_type=None, partitions=1, use_partitioner=True)
        self.areas = AreaNeedPublisher(self)
        self._area_reader = CompactedReader(
            bootstrap_servers, "areas.need", client_id=f"{self.group_id}-areas",
            on_event=self.areas.heard.heard)
        self.counting = AreaCounting(self)
        self.batches = ScoringBatches(self)
        self.scored_total = 0
        self.overrides_total = 0
        self.unforgotten: set[str] = set()  # erased cases whose overrides are still kept
        self._first_publish: asyncio.Task[None] | None = None
        # Called (in a thread) with the ids of cases erased in a batch.
        self.on_erased: Callable[[list[str]], None] | None = None
        # Held while a batch changes the tables, so the area timer's snapshot is consistent.
        self.state_lock = asyncio.Lock()
        # Retries do not wait: handling is in-memory work under the batch's lock, which
        # the area timer would otherwise wait for.
        self.retry = RetryPolicy(max_attempts=settings.handler_attempts, backoff_s=0.0)
        self.app.agent(self._in, name="score-cases")(self._score_cases)
        self.app.agent(self._footprints, name="count-areas")(self.counting.count)
        self.app.timer(settings.area_publish_seconds, name="publish-area-need")(
            self.areas.publish)
        self.app.timer(5.0, name="record-consumer-lag")(self.record_lag)
        self.app.timer(1.0, name="record-assignment")(self.record_assignment)
        self.app.timer(5.0, name="forget-erased")(self.forget_erased)

    async def start(self) -> None:
        self._area_reader.start()
        await self.app.start()
        # First figures as soon as the tables are recovered, not one interval later;
        # before recovery they would be wrong.
        self._first_publish = asyncio.create_task(self._publish_when_recovered())

    async def _publish_when_recovered(self) -> None:
        # faust types app.tables as TableManagerT; its TableManager has .recovery.
        await self.app.tables.recovery.completed.wait()  # type: ignore[attr-defined]
        await self.areas.publish()

    async def stop(self) -> None:
        if self._first_publish is not None:
            self._first_publish.cancel()
        await self.app.stop()
        await anyio.to_thread.run_sync(self._area_reader.stop)

    async def send(self, record: KafkaRecord) -> Awaitable[Any]:
        """Hand a record to the producer; await the result for the broker's ack."""
        return await self._out[record.topic].send(
            key=record.key, value=record.value, headers=record.headers)

    def record_override(self, band: Band) -> None:
        self.overrides_total += 1
        self.metrics.overrides.labels(band.value).inc()
        self._update_override_rate()

    def _update_override_rate(self) -> None:
        if self.scored_total:
            self.metrics.override_rate.set(self.overrides_total / self.scored_total)

    async def _score_cases(self, stream: faust.StreamT[bytes]) -> None:
        # Not take_events: it acknowledges in a finally, so a stop cancelling a batch that
        # waits for the broker would commit scores never sent. Here a batch is acknowledged
        # once its outputs are; a cancelled one is read again by the partitions' next owner.
        # (faust's StreamT does not declare noack_take)
        async for events in stream.noack_take(  # type: ignore[attr-defined]
                self.settings.batch_size, within=self.settings.batch_wait_seconds):
            await self.batches.score(events)
            for event in events:
                await stream.ack(event)
            await self.forget_erased()  # never raises: a failure is retried later
            self._update_override_rate()

    async def forget_erased(self) -> None:
        """Erased cases' staff decisions leave the database. If the database is away,
        the stream keeps scoring and this is tried again after the next batch and on
        the next tick of its timer."""
        if not self.unforgotten or self.on_erased is None:
            return
        ids = sorted(self.unforgotten)
        try:
            await anyio.to_thread.run_sync(self.on_erased, ids)
        except Exception:
            log.warning("could not yet forget the overrides of %d erased cases; will retry",
                        len(ids), exc_info=True)
            return
        self.unforgotten.difference_update(ids)

    def owns_area_counts(self) -> bool:
        """Whether this worker counts area need now, with its tables recovered: the
        only time its buckets are the whole borough's. (faust types app.tables as
        TableManagerT; its TableManager has .recovery.)"""
        recovery = self.app.tables.recovery  # type: ignore[attr-defined]
        return (recovery.completed.is_set() and not recovery.in_recovery
                and not self.app.rebalancing
                and TP(self.footprint_topic, 0) in self.app.assignor.assigned_actives())

    async def record_assignment(self) -> None:
        actives = self.app.assignor.assigned_actives()
        self.metrics.assigned_partitions.set(
            sum(1 for tp in actives if tp.topic == IN_TOPICS[0]))
        self.metrics.area_owner.set(1 if self.owns_area_counts() else 0)

    async def record_lag(self) -> None:
        await record_lag(self.app.consumer, (*SCORING_INPUTS,
                                             self.footprint_topic), self.metrics.kafka)
