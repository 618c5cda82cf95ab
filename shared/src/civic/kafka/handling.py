"""The per-event rules every consumer follows, whatever its Kafka client.

kafka-python's :class:`civic.kafka.consumer.EventConsumer` and a faust or other asyncio
agent run a handler for one decoded envelope the same way:

- an event id that was already handled is skipped (:class:`ProcessedEvents`);
- a handler that raises is tried again, at most ``RetryPolicy.max_attempts`` times in
  all, waiting ``RetryPolicy.delay(n)`` after failed attempt ``n`` (exponential, capped);
- the outcome tells the caller what is left to do: :class:`Handled` and
  :class:`Duplicate` may be committed; :class:`Failed` must reach ``<topic>.dlq``
  (see :mod:`civic.kafka.deadletter`) before its offset is committed.

Only ``Exception`` is retried: ``KeyboardInterrupt``, ``SystemExit`` and
``asyncio.CancelledError`` pass straight through. Nothing here talks to Kafka, and the
logs name the event's id and type and the error, never the event's content.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from pydantic import ValidationError

from civic.contracts.envelope import Envelope
from civic.kafka.deadletter import reason_of

log = logging.getLogger(__name__)

Handler = Callable[[Envelope], None]
# An agent's handler may be a coroutine function or a plain function.
AsyncHandler = Callable[[Envelope], Awaitable[None] | None]
# Called after every failed attempt with the error and the attempt number (from 1).
OnFailure = Callable[[Exception, int], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How many times a handler is tried for one event, and how long to wait between."""

    max_attempts: int = 3
    backoff_s: float = 0.2
    max_backoff_s: float = 5.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff_s < 0 or self.max_backoff_s < 0:
            raise ValueError("backoffs must not be negative")

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1, 2, ...): ``backoff_s``
        doubled each time, never more than ``max_backoff_s``."""
        if attempt < 1:
            raise ValueError("attempts are numbered from 1")
        # the exponent is bounded so a long run of failures cannot overflow a float
        return min(self.max_backoff_s, self.backoff_s * 2.0 ** min(attempt - 1, 64))


class ProcessedEvents(Protocol):
    """Remembers which event ids were handled, so redelivery does no harm."""

    def seen(self, event_id: str) -> bool: ...
    def remember(self, event_id: str) -> None: ...


class RecentEvents:
    """In-process memory of the most recent event ids. It forgets on restart, so a
    handler must also be safe to run twice (upserts, not increments); a service that
    needs more can pass its own ProcessedEvents backed by its database."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    def seen(self, event_id: str) -> bool:
        return event_id in self._ids

    def remember(self, event_id: str) -> None:
        self._ids[event_id] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)


@dataclass(frozen=True)
class Handled:
    """The handler succeeded; the id is remembered; the offset may be committed."""

    attempts: int


@dataclass(frozen=True)
class Duplicate:
    """The id was handled before; the handler was not called; commit and move on."""


@dataclass(frozen=True)
class Failed:
    """Every attempt raised; ``error`` is the last one. Dead-letter, then commit."""

    error: Exception
    attempts: int


Outcome: TypeAlias = Handled | Duplicate | Failed


def handle_event(envelope: Envelope, handler: Handler, policy: RetryPolicy,
                 processed: ProcessedEvents, *, sleep: Callable[[float], None] = time.sleep,
                 on_failure: OnFailure | None = None) -> Outcome:
    """Run ``handler`` for one event under ``policy``; ``sleep`` waits between attempts
    (pass one that raises to abandon the event, e.g. on shutdown)."""
    if processed.seen(envelope.id):
        return Duplicate()
    attempt = 1
    while True:
        try:
            handler(envelope)
        except Exception as exc:
            step = _after_failure(envelope, exc, attempt, policy, on_failure)
            if isinstance(step, Failed):
                return step
            sleep(step)
            attempt += 1
        else:
            processed.remember(envelope.id)
            return Handled(attempt)


async def handle_event_async(
        envelope: Envelope, handler: AsyncHandler, policy: RetryPolicy,
        processed: ProcessedEvents, *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_failure: OnFailure | None = None) -> Outcome:
    """:func:`handle_event` for an asyncio (faust) agent: the handler may be a coroutine
    function, and the wait between attempts is awaited, so other tasks run meanwhile.
    A plain handler runs on the event loop: keep it short."""
    if processed.seen(envelope.id):
        return Duplicate()
    attempt = 1
    while True:
        try:
            result = handler(envelope)
            if result is not None:
                await result
        except Exception as exc:
            step = _after_failure(envelope, exc, attempt, policy, on_failure)
            if isinstance(step, Failed):
                return step
            await sleep(step)
            attempt += 1
        else:
            processed.remember(envelope.id)
            return Handled(attempt)


def _after_failure(envelope: Envelope, error: Exception, attempt: int, policy: RetryPolicy,
                   on_failure: OnFailure | None) -> Failed | float:
    """Log and report a failed attempt; return the final outcome or the delay to wait."""
    # The last attempt's traceback is logged: it is where a bug gets found. Not for a
    # validation error, whose text and traceback quote the event's input.
    last = attempt >= policy.max_attempts and not isinstance(error, ValidationError)
    log.warning("handling %s %s failed (attempt %d/%d): %s: %s", envelope.type, envelope.id,
                attempt, policy.max_attempts, type(error).__name__, reason_of(error),
                exc_info=error if last else None)
    if on_failure is not None:
        on_failure(error, attempt)
    if attempt >= policy.max_attempts:
        return Failed(error, attempt)
    return policy.delay(attempt)
