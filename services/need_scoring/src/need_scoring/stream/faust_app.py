"""The faust app: one agent scores cases and tracks their lifecycle, one timer publishes
area need (``area_publishing.py``).

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
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

import anyio.to_thread
import faust
from faust.types import EventT, TopicT

from civic.contracts.cases import CaseErased
from civic.contracts.common import Band
from civic.contracts.envelope import Envelope, KafkaRecord, decode, encode
from civic.contracts.scoring import CaseScored
from civic.kafka.deadletter import dead_letter, reason_of
from civic.kafka.handling import (
    Duplicate,
    Failed,
    RecentEvents,
    RetryPolicy,
    handle_event_async,
)
from civic.kafka.topics import DLQ_SUFFIX
from need_scoring import IDENTITY
from need_scoring.metrics import ScoringMetrics
from need_scoring.policy import Policy
from need_scoring.settings import Settings
from need_scoring.stream.area_publishing import AreaNeedPublisher
from need_scoring.stream.consumer_lag import record_lag
from need_scoring.stream.processor import CaseProcessor
from need_scoring.stream.staging import StagedEventIds, StagedTable
from need_scoring.stream.staging import publish_until_acknowledged as publish
from need_scoring.stream.transport import app_with_fetch_wait

log = logging.getLogger(__name__)

SOURCE = IDENTITY.event_source
LIVE_EVENT_SECONDS = 300  # older events are a replay or a backlog, not live latency
IN_TOPICS = ("cases.submitted", "cases.lifecycle")


class NeedStream:
    """The running stream and what the HTTP side reads from it."""

    def __init__(self, settings: Settings, policy: Policy, processor: CaseProcessor,
                 bootstrap_servers: str, metrics: ScoringMetrics) -> None:
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
            stream_wait_empty=False, **settings.group_timeouts())

        def raw(*names: str) -> TopicT:
            return self.app.topic(*names, key_type=bytes, value_type=bytes,
                                  key_serializer="raw", value_serializer="raw")
        self._in = raw(*IN_TOPICS)
        self._out = {name: raw(name) for name in (
            "cases.scored", "areas.need", *(t + DLQ_SUFFIX for t in IN_TOPICS))}
        # use_partitioner: rows are also written outside the agent (the override
        # endpoint, the expiry timer), where faust has no current event to follow.
        self.cases = self.app.Table("cases", default=dict, key_type=str, value_type=dict,
                                    use_partitioner=True)
        self.buckets = self.app.Table("open-case-buckets", default=dict, key_type=str,
                                      value_type=dict, use_partitioner=True)
        self.areas = AreaNeedPublisher(self)
        self.scored_total = 0
        self.overrides_total = 0
        self._unforgotten: set[str] = set()  # erased cases whose overrides are still kept
        self._first_publish: asyncio.Task[None] | None = None
        # Called (in a thread) with the ids of cases erased in a batch.
        self.on_erased: Callable[[list[str]], None] | None = None
        # Held while a batch changes the tables, and by an override applying its change.
        self.state_lock = asyncio.Lock()
        # Retries do not wait: handling is in-memory work under the batch's lock, which
        # an override or the area timer would otherwise wait for.
        self.retry = RetryPolicy(max_attempts=settings.handler_attempts, backoff_s=0.0)
        self._handled_ids = StagedEventIds(RecentEvents())
        self.app.agent(self._in, name="score-cases")(self._score_cases)
        self.app.timer(settings.area_publish_seconds, name="publish-area-need")(
            self.areas.publish)
        self.app.timer(5.0, name="record-consumer-lag")(self.record_lag)
        self.app.timer(5.0, name="forget-erased")(self.forget_erased)

    async def start(self) -> None:
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
            await self._score_batch(events)
            for event in events:
                await stream.ack(event)
            await self.forget_erased()  # never raises: a failure is retried later
            self._update_override_rate()

    async def _score_batch(self, events: list[EventT[bytes]]) -> None:
        """Handle a batch and publish its outputs. An unexpected failure is logged,
        counted and the batch handled again, for as long as it takes: handling is
        idempotent (a submission seen before gives the same score, a status change its
        case has reached is ignored, an erasure is a tombstone), so nothing is lost."""
        delay = 0.2
        while True:
            try:
                # The lock keeps an override from changing a bucket this batch staged.
                async with self.state_lock:
                    self._handled_ids.start_batch()
                    buckets = StagedTable(self.buckets)
                    try:
                        outputs = [await self._handle(event, buckets) for event in events]
                    finally:
                        buckets.flush()
                await publish(self.send, [r for r in outputs if r is not None],
                              self.metrics.kafka)
            except Exception:
                log.exception("a batch of %d events failed; handling it again in %.1f s",
                              len(events), delay)
                self.metrics.batch_failures.inc()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            self._handled_ids.confirm()
            return

    async def forget_erased(self) -> None:
        """Erased cases' staff decisions leave the database. If the database is away,
        the stream keeps scoring and this is tried again after the next batch and on
        the next tick of its timer."""
        if not self._unforgotten or self.on_erased is None:
            return
        ids = sorted(self._unforgotten)
        try:
            await anyio.to_thread.run_sync(self.on_erased, ids)
        except Exception:
            log.warning("could not yet forget the overrides of %d erased cases; will retry",
                        len(ids), exc_info=True)
            return
        self._unforgotten.difference_update(ids)

    async def _handle(self, event: EventT[bytes], buckets: StagedTable) -> KafkaRecord | None:
        """civic's per-event rules (civic.kafka.handling): an id already handled is
        skipped, a failing event is retried a bounded number of times, then it goes to
        the dead-letter topic so one case cannot hold up everyone else's."""
        message = event.message
        kafka = self.metrics.kafka
        # faust's type allows a mapping too; the aiokafka driver delivers a list of pairs.
        pairs = cast("list[tuple[str, bytes]]", message.headers or [])
        headers = [(k, bytes(v)) for k, v in pairs]
        try:
            envelope = decode(headers, event.value, event.key)
        except Exception as exc:  # MalformedEvent, or anything else decoding refused
            # The same bytes will never decode: poison, for the dead-letter topic at once.
            return self._dead_letter(event, headers, exc, attempts=0)
        results: list[CaseScored | None] = []

        def score(envelope: Envelope) -> None:
            results.append(self.processor.handle(envelope, self.cases, buckets))

        def failed(exc: Exception, _attempt: int) -> None:
            kafka.failed.labels(message.topic, type(exc).__name__).inc()

        outcome = await handle_event_async(envelope, score, self.retry, self._handled_ids,
                                           on_failure=failed)
        if isinstance(outcome, Duplicate):
            kafka.duplicates.labels(message.topic).inc()
            return None
        if isinstance(outcome, Failed):
            return self._dead_letter(event, headers, outcome.error, outcome.attempts)
        scored = results[-1]
        kafka.consumed.labels(message.topic).inc()
        if isinstance(envelope.payload, CaseErased):
            self._unforgotten.add(str(envelope.payload.case_id))
        if scored is None:
            return None
        self.scored_total += 1
        self.metrics.scores.labels(scored.band.value, scored.policy_version).inc()
        age = time.time() - envelope.time.timestamp()
        if age < LIVE_EVENT_SECONDS:  # a replay's old cases would swamp the histogram
            self.metrics.latency.observe(max(0.0, age))
        return encode(scored, source=SOURCE)

    def _dead_letter(self, event: EventT[bytes], headers: list[tuple[str, bytes]],
                     error: Exception, attempts: int) -> KafkaRecord:
        message = event.message
        log.error("sending %s[%d]@%d to the dead-letter topic: %s", message.topic,
                  message.partition, message.offset, reason_of(error))
        self.metrics.kafka.dead_lettered.labels(message.topic).inc()
        return dead_letter(
            topic=message.topic, partition=message.partition, offset=message.offset,
            key=event.key, value=event.value, headers=headers, error=error,
            consumer_group=self.group_id, attempts=attempts)

    async def record_lag(self) -> None:
        await record_lag(self.app.consumer, IN_TOPICS, self.metrics.kafka)
