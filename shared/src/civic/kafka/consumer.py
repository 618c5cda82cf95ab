"""The platform's consumer loop (kafka-python). New services use this, or, in a faust
agent, the same per-event rules from :mod:`civic.kafka.handling`. The rules:

- **At-least-once, commit after handling.** An offset is committed only once its record
  is finished: handled, skipped as a duplicate, or acknowledged by ``<topic>.dlq``.
- **Never past unprocessed work.** If a record cannot be finished, the records before
  it are committed, and its partition is sought back to it, so it and everything after
  it in that partition are delivered again by the next poll. Other partitions of the
  batch carry on.
- **Idempotent.** Each event id is handled once (:class:`ProcessedEvents`); a
  redelivered id is skipped. Handlers must still be safe to run twice.
- **Bounded retries, then the DLQ.** A failing handler is tried ``max_attempts`` times
  with capped exponential backoff; then the message goes to ``<topic>.dlq`` with the
  error and the attempts in ``civic_dlq_*`` headers, and the stream moves on. A message
  that is not a valid civic event is poison and goes there at once.
- **A failed DLQ write means redelivery, not loss.** The record stays uncommitted and
  is tried again (handler, then DLQ) on the next poll.
- **The loop survives everything.** :meth:`EventConsumer.run` logs every error (topic,
  partition, offset, event id and type, error class and message; never a value), counts
  it in ``civic_<service>_consumer_loop_errors_total``, backs off (capped exponential)
  and polls again, until :meth:`EventConsumer.stop`.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import OffsetAndMetadata

from civic.contracts.envelope import decode
from civic.kafka import handling
from civic.kafka.deadletter import dead_letter, reason_of
from civic.kafka.handling import Handler, ProcessedEvents, RecentEvents, RetryPolicy
from civic.kafka.metrics import KafkaMetrics
from civic.kafka.producer import EventProducer

__all__ = ["BatchInterrupted", "ConsumerStopped", "DeadLetterFailed", "EventConsumer", "Handler",
           "ProcessedEvents", "RecentEvents", "RetryPolicy", "dev_consumer_settings"]

log = logging.getLogger(__name__)

LOOP_BACKOFF = RetryPolicy(max_attempts=1, backoff_s=0.5, max_backoff_s=30.0)


def dev_consumer_settings() -> dict[str, Any]:
    """Short group timeouts for the embedded broker. Measured on Tansu 0.6 with
    kafka-python 3.0: it holds a JoinGroup for about half of session_timeout_ms
    (45 s default: 23 s to the first message; 2 s: 1 s). max_poll_interval_ms made no
    difference there, so it stays large and a slow batch never costs the assignment."""
    return {"session_timeout_ms": 2_000, "heartbeat_interval_ms": 500,
            "max_poll_interval_ms": 300_000}


class DeadLetterFailed(RuntimeError):
    """The DLQ did not acknowledge a message; it will be redelivered, not committed."""


class ConsumerStopped(Exception):
    """stop() was called while a record was waiting to be retried; it is not finished."""


class BatchInterrupted(Exception):
    """Records of a batch were not finished; they will be redelivered (see poll_once)."""

    def __init__(self, failures: list[tuple[ConsumerRecord, Exception]]) -> None:
        record, error = failures[0]
        super().__init__(f"{len(failures)} record(s) not finished, the first "
                         f"{_where(record)}: {type(error).__name__}: {error}")


class EventConsumer:
    def __init__(self, bootstrap_servers: str, *, group_id: str, topics: list[str],
                 handler: Handler, dlq_producer: EventProducer,
                 processed: ProcessedEvents | None = None, metrics: KafkaMetrics | None = None,
                 max_attempts: int = 3, retry_backoff_s: float = 0.2,
                 retry: RetryPolicy | None = None, loop_backoff: RetryPolicy = LOOP_BACKOFF,
                 max_poll_records: int = 500, **overrides: Any) -> None:
        """``retry``, when given, replaces ``max_attempts`` and ``retry_backoff_s``;
        ``loop_backoff`` spaces polls after an error (its ``max_attempts`` is unused:
        the loop never gives up)."""
        config: dict[str, Any] = {
            "bootstrap_servers": bootstrap_servers, "group_id": group_id,
            "client_id": group_id, "enable_auto_commit": False,
            "auto_offset_reset": "earliest", "max_poll_records": max_poll_records,
            # topics come from the registry; an auto-created one would have the wrong shape
            "allow_auto_create_topics": False,
        }
        config.update(overrides)
        self.group_id = group_id
        self._consumer = KafkaConsumer(*topics, **config)
        self._handler = handler
        self._dlq = dlq_producer
        self._processed = processed if processed is not None else RecentEvents()
        self._metrics = metrics
        self._retry = retry or RetryPolicy(max_attempts, retry_backoff_s)
        self._loop_backoff = loop_backoff
        self._stop = threading.Event()
        self._running = threading.RLock()  # held by run(); close() waits for it

    def poll_once(self, timeout_ms: int = 500) -> int:
        """Handle one batch, commit what was finished, return how many records were.
        Raises BatchInterrupted (after committing the rest) if a record could not be
        finished, ConsumerStopped if stop() cut a retry short; either way the unfinished
        records are delivered again."""
        batches = self._consumer.poll(timeout_ms=timeout_ms)
        finished: dict[TopicPartition, int] = {}  # partition -> next offset to commit
        failures: list[tuple[ConsumerRecord, Exception]] = []
        handled = 0
        try:
            for tp, records in batches.items():
                for record in records:
                    try:
                        self._handle(record)
                    except ConsumerStopped:
                        raise
                    except Exception as exc:
                        self._report_unfinished(record, exc)
                        failures.append((record, exc))
                        break  # leave the rest of this partition for redelivery
                    finished[tp] = record.offset + 1
                    handled += 1
        finally:
            # The position has moved past the whole batch; put back what is not finished.
            self._seek_back(batches, finished)
        if finished:
            self._consumer.commit({tp: OffsetAndMetadata(offset, "", -1)
                                   for tp, offset in finished.items()})
        self._record_lag()
        if failures:
            raise BatchInterrupted(failures)
        return handled

    def run(self) -> None:
        """Poll until stop(). Survives every error: logs it, counts it, backs off."""
        with self._running:
            in_a_row = 0
            while not self._stop.is_set():
                try:
                    self.poll_once()
                    in_a_row = 0
                except ConsumerStopped:
                    break
                except Exception as exc:  # KeyboardInterrupt and SystemExit do end it
                    in_a_row += 1
                    self._survive(exc, in_a_row)
        log.info("consumer %s stopped", self.group_id)

    def stop(self) -> None:
        """Make run() return: within one poll timeout, or at once if it is waiting to
        retry (the record being retried is left for redelivery)."""
        self._stop.set()

    def close(self, timeout_s: float = 10.0) -> None:
        """Stop, wait up to ``timeout_s`` for run() to return, and close the consumer."""
        self.stop()
        if not (returned := self._running.acquire(timeout=timeout_s)):
            log.warning("consumer %s: run() still busy; closing anyway", self.group_id)
        try:
            self._consumer.close()
        finally:
            if returned:
                self._running.release()

    def _handle(self, record: ConsumerRecord) -> None:
        try:
            envelope = decode(record.headers or [], record.value, record.key)
        except Exception as exc:  # MalformedEvent, or anything else decoding refused
            # The same bytes will never decode: poison, for the DLQ at once.
            self._dead_letter(record, exc, attempts=0)
            return
        metrics = self._metrics
        count_failure = None if metrics is None else (
            lambda error, _n: metrics.failed.labels(record.topic, type(error).__name__).inc())
        outcome = handling.handle_event(envelope, self._handler, self._retry,
                                        self._processed, sleep=self._sleep,
                                        on_failure=count_failure)
        if isinstance(outcome, handling.Failed):
            self._dead_letter(record, outcome.error, attempts=outcome.attempts)
        elif metrics is not None:
            counter = metrics.consumed if isinstance(outcome, handling.Handled) \
                else metrics.duplicates
            counter.labels(record.topic).inc()

    def _sleep(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise ConsumerStopped

    def _dead_letter(self, record: ConsumerRecord, error: Exception, attempts: int) -> None:
        dlq_record = dead_letter(
            topic=record.topic, partition=record.partition, offset=record.offset,
            key=record.key, value=record.value, headers=record.headers or [], error=error,
            consumer_group=self.group_id, attempts=attempts)
        # Raising leaves the record uncommitted: it is redelivered rather than lost.
        if not all(self._dlq.send_all([dlq_record])):
            raise DeadLetterFailed(f"{dlq_record.topic} did not acknowledge the message")
        log.error("sent %s to %s after %d attempt(s): %s: %s", _where(record),
                  dlq_record.topic, attempts, type(error).__name__, reason_of(error))
        if self._metrics:
            self._metrics.dead_lettered.labels(record.topic).inc()

    def _seek_back(self, batches: dict[TopicPartition, list[ConsumerRecord]],
                   finished: dict[TopicPartition, int]) -> None:
        for tp, records in batches.items():
            if not records:
                continue
            first_unfinished = finished.get(tp, records[0].offset)
            if first_unfinished > records[-1].offset:
                continue
            try:
                self._consumer.seek(tp, first_unfinished)
            except Exception as exc:  # revoked meanwhile: the new owner starts there anyway
                log.warning("could not seek %s[%d] back to %d: %s: %s", tp.topic,
                            tp.partition, first_unfinished, type(exc).__name__, exc)

    def _report_unfinished(self, record: ConsumerRecord, error: Exception) -> None:
        log.error("could not finish %s: %s: %s; it stays uncommitted and will be redelivered",
                  _where(record), type(error).__name__, error)
        if self._metrics:
            self._metrics.loop_errors.labels(record.topic, type(error).__name__).inc()

    def _survive(self, error: Exception, in_a_row: int) -> None:
        delay = self._loop_backoff.delay(in_a_row)
        if self._metrics and not isinstance(error, BatchInterrupted):  # counted per record
            self._metrics.loop_errors.labels("", type(error).__name__).inc()
        log.error("consumer %s carries on after %s: %s (%d in a row); next poll in %.2f s",
                  self.group_id, type(error).__name__, error, in_a_row, delay,
                  exc_info=in_a_row == 1 and not isinstance(error, BatchInterrupted))
        self._stop.wait(delay)

    def _record_lag(self) -> None:
        if self._metrics is None:
            return
        for tp in self._consumer.assignment():
            if (highwater := self._consumer.highwater(tp)) is not None:
                lag = max(0, highwater - self._consumer.position(tp))
                self._metrics.lag.labels(tp.topic, str(tp.partition)).set(lag)


def _where(record: ConsumerRecord) -> str:
    """Where a record is and which event it claims to be: never its content."""
    headers = dict(record.headers or [])
    event_id = headers.get("ce_id", b"-").decode(errors="replace")[:64]
    event_type = headers.get("ce_type", b"-").decode(errors="replace")[:100]
    return (f"{record.topic}[{record.partition}]@{record.offset} "
            f"(event {event_id}, {event_type})")
