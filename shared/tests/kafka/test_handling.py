"""The per-event rules without a broker: retry policy, dedupe, outcomes, sync and async."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from civic.contracts import Envelope, encode
from civic.contracts.cases import CaseErased
from civic.contracts.envelope import decode
from civic.kafka import consumer, handling
from civic.kafka.handling import (
    Duplicate,
    Failed,
    Handled,
    RecentEvents,
    RetryPolicy,
    handle_event,
    handle_event_async,
)
from civic_testing import run_coroutine

POLICY = RetryPolicy(max_attempts=3, backoff_s=0.1, max_backoff_s=0.3)


def _envelope() -> Envelope:
    record = encode(CaseErased(case_id=uuid.uuid4(), erased_at=datetime.now(UTC)),
                    source="/civic/test")
    return decode(record.headers, record.value, record.key)


class Flaky:
    """A handler that raises for its first ``failures`` calls."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    def __call__(self, envelope: Envelope) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ValueError(f"no ({self.calls})")


def test_delay_doubles_from_the_base_and_stops_at_the_cap():
    """Seen to fail with the cap removed from RetryPolicy.delay (0.4 s, not 0.3 s)."""
    assert [POLICY.delay(n) for n in (1, 2, 3, 4)] == pytest.approx([0.1, 0.2, 0.3, 0.3])
    assert RetryPolicy(backoff_s=0.5, max_backoff_s=30).delay(10_000) == 30  # no overflow
    assert RetryPolicy(backoff_s=0, max_backoff_s=0).delay(5) == 0


@pytest.mark.parametrize("kwargs", [{"max_attempts": 0}, {"backoff_s": -1},
                                    {"max_backoff_s": -1}])
def test_a_policy_that_makes_no_sense_is_refused(kwargs):
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)
    with pytest.raises(ValueError):
        POLICY.delay(0)


def test_a_handled_event_is_remembered_and_then_skipped():
    """Seen to fail with the ``processed.seen`` check removed (Handled, not Duplicate)."""
    envelope, seen, processed, sleeps = _envelope(), [], RecentEvents(), []
    assert handle_event(envelope, seen.append, POLICY, processed,
                        sleep=sleeps.append) == Handled(attempts=1)
    assert processed.seen(envelope.id)
    assert handle_event(envelope, seen.append, POLICY, processed,
                        sleep=sleeps.append) == Duplicate()
    assert seen == [envelope] and sleeps == []


def test_a_handler_that_fails_then_succeeds_is_retried_after_the_policy_delay():
    """Seen to fail when handling never retried (``if True:`` for the give-up test)."""
    handler, sleeps, failures = Flaky(failures=2), [], []
    outcome = handle_event(_envelope(), handler, POLICY, RecentEvents(), sleep=sleeps.append,
                           on_failure=lambda exc, n: failures.append((type(exc), n)))
    assert outcome == Handled(attempts=3)
    assert sleeps == pytest.approx([0.1, 0.2])
    assert failures == [(ValueError, 1), (ValueError, 2)]


def test_a_handler_that_always_fails_gives_up_after_max_attempts_without_remembering():
    """Seen to fail when handling gave up one attempt late (``attempt >
    policy.max_attempts``: 4 calls) and when a failed event was remembered."""
    envelope, handler, sleeps, processed = _envelope(), Flaky(failures=99), [], RecentEvents()
    outcome = handle_event(envelope, handler, POLICY, processed, sleep=sleeps.append)
    assert isinstance(outcome, Failed)
    assert outcome.attempts == 3 and handler.calls == 3
    assert str(outcome.error) == "no (3)"  # the last error, for the DLQ headers
    assert sleeps == pytest.approx([0.1, 0.2])  # no wait after the last attempt
    assert not processed.seen(envelope.id)  # a redelivery must try again


def test_an_interrupt_is_not_retried():
    def handler(_e: Envelope) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        handle_event(_envelope(), handler, POLICY, RecentEvents(), sleep=lambda _s: None)


def test_a_sleep_that_raises_abandons_the_event():
    class Stop(Exception):
        pass

    def sleep(_s: float) -> None:
        raise Stop

    with pytest.raises(Stop):
        handle_event(_envelope(), Flaky(failures=1), POLICY, RecentEvents(), sleep=sleep)


def test_the_async_variant_follows_the_same_rules_with_coroutine_handlers():
    """Seen to fail with the ``processed.seen`` check removed and with no retry."""
    envelope, processed, sleeps, calls = _envelope(), RecentEvents(), [], []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def handler(e: Envelope) -> None:
        await asyncio.sleep(0)
        calls.append(e.id)
        if len(calls) == 1:
            raise ValueError("once")

    async def scenario() -> list[handling.Outcome]:
        return [await handle_event_async(envelope, handler, POLICY, processed, sleep=sleep),
                await handle_event_async(envelope, handler, POLICY, processed, sleep=sleep)]

    assert run_coroutine(scenario()) == [Handled(attempts=2), Duplicate()]
    assert calls == [envelope.id, envelope.id] and sleeps == pytest.approx([0.1])


def test_the_async_variant_takes_plain_handlers_and_gives_up_too():
    """Seen to fail when handling gave up one attempt late (4 calls)."""
    handler, sleeps = Flaky(failures=99), []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    outcome = run_coroutine(handle_event_async(_envelope(), handler, POLICY, RecentEvents(),
                                             sleep=sleep))
    assert isinstance(outcome, Failed) and outcome.attempts == 3 and handler.calls == 3
    assert sleeps == pytest.approx([0.1, 0.2])


def test_the_async_variant_waits_with_asyncio_sleep_by_default():
    async def scenario() -> handling.Outcome:
        return await handle_event_async(_envelope(), Flaky(failures=1),
                                        RetryPolicy(2, 0.01, 0.01), RecentEvents())

    assert run_coroutine(scenario()) == Handled(attempts=2)


def test_recent_events_forget_the_oldest_beyond_capacity():
    recent = RecentEvents(capacity=2)
    for event_id in ("a", "b", "c"):
        recent.remember(event_id)
    assert [recent.seen(i) for i in ("a", "b", "c")] == [False, True, True]


def test_the_consumer_module_still_exports_the_moved_names():
    assert consumer.RecentEvents is handling.RecentEvents
    assert consumer.ProcessedEvents is handling.ProcessedEvents
