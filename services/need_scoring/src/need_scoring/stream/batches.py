"""One batch of the scoring agent: case events and staff override commands in, scores,
footprints and dead letters out.

A batch is finished only when every output is acknowledged and every override's outcome
is in the database. An unexpected failure is logged, counted and the whole batch handled
again, for as long as it takes: handling is idempotent (a submission seen before gives
the same score, a status change its case has reached is ignored, an erasure is a
tombstone, an override in force is in force), so nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import anyio.to_thread
from faust.types import EventT

from civic.contracts.cases import CaseErased
from civic.contracts.envelope import Envelope, KafkaRecord, decode, encode
from civic.contracts.scoring import AppliedOverride, CaseScored
from civic.kafka.deadletter import dead_letter, reason_of
from civic.kafka.handling import Duplicate, Failed, RecentEvents, handle_event_async
from need_scoring import IDENTITY
from need_scoring.calculation.engine import score_case
from need_scoring.overrides.commands import OVERRIDE_COMMANDS, Outcome, policy_of
from need_scoring.stream.footprints import FootprintOutbox
from need_scoring.stream.staging import StagedEventIds
from need_scoring.stream.staging import publish_until_acknowledged as publish

if TYPE_CHECKING:
    from need_scoring.stream.faust_app import NeedStream

log = logging.getLogger(__name__)

SOURCE = IDENTITY.event_source
LIVE_EVENT_SECONDS = 300  # older events are a replay or a backlog, not live latency
SCORE_IDS = uuid.UUID("6f1c1d52-7a43-4c36-9d0e-3d3f6c0b8a11")  # the namespace of score ids


def score_event_id(policy_version: str, cause: str) -> str:
    """A score's event id follows from what caused it (an input event's id, or an
    override's) and the policy: handled again after a crash or by a partition's next
    owner, the same score goes out under the same id, and consumers drop the repeat."""
    return str(uuid.uuid5(SCORE_IDS, f"{policy_version}:{cause}"))


class ScoringBatches:
    def __init__(self, stream: NeedStream) -> None:
        self.stream = stream
        self._handled_ids = StagedEventIds(RecentEvents())
        # Told (in a thread) each override command's outcome, once the batch's outputs
        # are acknowledged: the endpoint that sent it is waiting for it.
        self.on_outcomes: Callable[[list[Outcome]], None] = lambda _outcomes: None

    async def score(self, events: list[EventT[bytes]]) -> None:
        stream, delay = self.stream, 0.2
        while True:
            try:
                # The lock keeps the area timer's snapshot between batches.
                async with stream.state_lock:
                    self._handled_ids.start_batch()
                    need, outcomes = FootprintOutbox(), []
                    outputs: list[KafkaRecord] = []
                    for event in events:
                        if event.message.topic == OVERRIDE_COMMANDS:
                            outcome, scored = self._override(event, need)
                            outcomes += [outcome] if outcome else []
                            outputs += [scored] if scored is not None else []
                        elif (record := await self._handle(event, need)) is not None:
                            outputs.append(record)
                outputs += need.records(stream.footprint_topic)
                await publish(stream.send, outputs, stream.metrics.kafka)
                if outcomes:
                    await anyio.to_thread.run_sync(self.on_outcomes, outcomes)
            except Exception:
                log.exception("a batch of %d events failed; handling it again in %.1f s",
                              len(events), delay)
                stream.metrics.batch_failures.inc()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            self._handled_ids.confirm()
            return

    def _override(self, event: EventT[bytes], need: FootprintOutbox
                  ) -> tuple[Outcome | None, KafkaRecord | None]:
        """A staff decision, applied by the worker that owns its case. A command that
        does not parse was not written by this service: logged and skipped (it holds
        no reason, and no endpoint waits for something it cannot name)."""
        stream = self.stream
        try:
            case_id = bytes(event.key or b"").decode()
            override = AppliedOverride.model_validate_json(bytes(event.value or b""))
        except Exception as exc:
            log.error("skipped %s[%d]@%d, not an override command: %s", event.message.topic,
                      event.message.partition, event.message.offset, type(exc).__name__)
            return None, None
        pairs = cast("list[tuple[str, bytes]]", event.message.headers or [])
        ours = policy_of(pairs) in (None, stream.policy.version)
        record = stream.processor.apply_override(case_id, override, stream.cases, need)
        known = record.facts is not None and not record.erased
        if not ours and not known and not record.erased:
            # another version's decision, ahead of its case in a replay: kept for it
            stream.processor.overrides[case_id] = override.model_dump(mode="json")
        scored = encode(stream.processor.scored_event(case_id, record), source=SOURCE,
                        event_id=score_event_id(stream.policy.version,
                                                f"override:{override.override_id}")
                        ) if known else None
        if not ours:  # another version's decision: applied here, answered by its group
            return None, scored
        if not known:
            return Outcome(override.override_id,
                           "erased" if record.erased else "not-found"), None
        stream.record_override(override.band)
        assert record.facts is not None
        computed = score_case(stream.policy, record.facts).band.value
        return Outcome(override.override_id, "applied", computed), scored

    async def _handle(self, event: EventT[bytes], need: FootprintOutbox) -> KafkaRecord | None:
        """civic's per-event rules (civic.kafka.handling): an id already handled is
        skipped, a failing event is retried a bounded number of times, then it goes to
        the dead-letter topic so one case cannot hold up everyone else's."""
        stream, message = self.stream, event.message
        kafka = stream.metrics.kafka
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
            results.append(stream.processor.handle(envelope, stream.cases, need))

        def failed(exc: Exception, _attempt: int) -> None:
            kafka.failed.labels(message.topic, type(exc).__name__).inc()

        outcome = await handle_event_async(envelope, score, stream.retry, self._handled_ids,
                                           on_failure=failed)
        if isinstance(outcome, Duplicate):
            kafka.duplicates.labels(message.topic).inc()
            return None
        if isinstance(outcome, Failed):
            return self._dead_letter(event, headers, outcome.error, outcome.attempts)
        scored = results[-1]
        kafka.consumed.labels(message.topic).inc()
        if isinstance(envelope.payload, CaseErased):
            stream.unforgotten.add(str(envelope.payload.case_id))
        if scored is None:
            return None
        stream.scored_total += 1
        stream.metrics.scores.labels(scored.band.value, scored.policy_version).inc()
        age = time.time() - envelope.time.timestamp()
        if age < LIVE_EVENT_SECONDS:  # a replay's old cases would swamp the histogram
            stream.metrics.latency.observe(max(0.0, age))
        return encode(scored, source=SOURCE,
                      event_id=score_event_id(stream.policy.version, envelope.id))

    def _dead_letter(self, event: EventT[bytes], headers: list[tuple[str, bytes]],
                     error: Exception, attempts: int) -> KafkaRecord:
        message = event.message
        log.error("sending %s[%d]@%d to the dead-letter topic: %s", message.topic,
                  message.partition, message.offset, reason_of(error))
        self.stream.metrics.kafka.dead_lettered.labels(message.topic).inc()
        return dead_letter(
            topic=message.topic, partition=message.partition, offset=message.offset,
            key=event.key, value=event.value, headers=headers, error=error,
            consumer_group=self.stream.group_id, attempts=attempts)

