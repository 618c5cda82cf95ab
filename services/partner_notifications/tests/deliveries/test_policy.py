"""The delivery rules, from the Standard Webhooks specification and Svix's schedule, each
checked on its own with a fixed clock and a seeded random generator.

Mutations seen to fail (one at a time): 3xx as success; 410 retried; no response as
success; Retry-After ignored, honoured on a 500, not on 429, uncapped, allowed to bring a
retry earlier or to add an attempt to a spent schedule; HTTP-dates unread, a past one
negative, "-0000" left naive, "-5" kept negative, spaces not stripped; no jitter, jitter
only one way, jitter over 1 allowed; one attempt too many, each wait one step early, a
negative wait allowed, a step dropped from the default schedule; auto-disable strictly
after the period or after 4 days, its start reset by each failure or kept by a success;
the circuit opening one failure late or never, an open circuit letting attempts through,
half-open without a lease, a failed trial not re-opening, a stray failure lengthening the
cool-down, the cool-down not doubling, uncapped, or overflowing, a threshold of 0 allowed.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from partner_notifications.deliveries.policy import (
    DEFAULT_SCHEDULE_S,
    CircuitState,
    RetrySchedule,
    Verdict,
    after_failure,
    after_success,
    allows_attempt,
    judge,
    next_attempt_at,
    retry_after_s,
    should_auto_disable,
    start_attempt,
)

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
EXACT = RetrySchedule(jitter=0)  # Svix's schedule without jitter, so times can be compared
MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)


def rng() -> random.Random:
    return random.Random(20261126)


def after(status: int | None, attempt: int, retry_after: str | None = None,
          schedule: RetrySchedule = EXACT) -> float | None:
    """Seconds from NOW to the next attempt, or None."""
    at = next_attempt_at(status, retry_after, attempt, NOW, schedule, rng())
    return None if at is None else (at - NOW).total_seconds()


# The schedule


def test_the_default_schedule_is_svix_eight_attempts_the_first_at_once() -> None:
    assert DEFAULT_SCHEDULE_S == (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600,
                                  10 * 3600)
    assert RetrySchedule().attempts == 8
    assert RetrySchedule().next_delay(0, rng()) == 0
    assert [EXACT.next_delay(n, rng()) for n in range(1, 8)] == list(DEFAULT_SCHEDULE_S[1:])


def test_the_schedule_ends_in_none_after_the_eighth_attempt() -> None:
    assert RetrySchedule().next_delay(7, rng()) is not None
    assert RetrySchedule().next_delay(8, rng()) is None
    assert after(500, 8) is None


def test_jitter_spreads_each_wait_both_ways_within_its_fraction() -> None:
    schedule, draw = RetrySchedule(jitter=0.1), rng()
    for attempt, delay in enumerate(DEFAULT_SCHEDULE_S[1:], start=1):
        waits = [schedule.next_delay(attempt, draw) for _ in range(2000)]
        assert all(w is not None and delay * 0.9 <= w <= delay * 1.1 for w in waits)
        # Both sides are reached, so retries are spread rather than only delayed.
        assert min(w for w in waits if w is not None) < delay * 0.92
        assert max(w for w in waits if w is not None) > delay * 1.08


def test_full_jitter_never_makes_a_wait_negative_and_more_is_refused() -> None:
    draw = rng()
    assert all((RetrySchedule(jitter=1).next_delay(2, draw) or 0) >= 0 for _ in range(2000))
    with pytest.raises(ValueError):
        RetrySchedule(jitter=1.5)


def test_a_short_schedule_can_be_configured_for_tests() -> None:
    short = RetrySchedule((0, 1, 2), jitter=0)
    assert short.attempts == 3
    assert [after(None, n, schedule=short) for n in (1, 2, 3)] == [1, 2, None]


@pytest.mark.parametrize("delays", [(), (0, -1), (0, float("inf")), (0, float("nan"))])
def test_a_schedule_with_no_attempts_or_an_impossible_wait_is_refused(
        delays: tuple[float, ...]) -> None:
    with pytest.raises(ValueError):
        RetrySchedule(delays)


def test_attempts_are_counted_from_one() -> None:
    with pytest.raises(ValueError):
        EXACT.next_delay(-1, rng())


# What a response means


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_only_2xx_succeeds(status: int) -> None:
    assert judge(status) is Verdict.SUCCEEDED
    assert after(status, 1) is None


@pytest.mark.parametrize("status", [300, 301, 302, 303, 304, 307, 308])
def test_any_3xx_is_a_failure_that_retries_since_redirects_are_never_followed(
        status: int) -> None:
    assert judge(status) is Verdict.RETRY
    assert after(status, 1) == 5


def test_a_410_disables_the_endpoint_at_once() -> None:
    assert judge(410) is Verdict.DISABLE
    assert after(410, 1) is None


@pytest.mark.parametrize("status", [None, 100, 199, 400, 404, 500, 502, 504])
def test_timeouts_gateway_errors_and_other_statuses_retry_on_the_schedule(
        status: int | None) -> None:
    assert judge(status) is Verdict.RETRY
    assert after(status, 1) == 5
    assert after(status, 3) == 1800


# Retry-After


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_in_seconds_is_honoured_on_429_and_503(status: int) -> None:
    assert after(status, 1, "120") == 120


def test_retry_after_as_an_http_date_is_honoured() -> None:
    assert after(503, 1, "Thu, 26 Nov 2026 10:10:00 GMT") == 600


def test_a_retry_after_on_a_500_is_ignored() -> None:
    assert after(500, 1, "120") == 5
    assert after(502, 1, "Thu, 26 Nov 2026 10:10:00 GMT") == 5


def test_retry_after_never_brings_the_next_attempt_earlier_than_the_schedule() -> None:
    assert after(429, 3, "10") == 1800


def test_retry_after_is_capped_at_the_longest_step() -> None:
    assert after(429, 1, "31536000") == 36000
    assert after(503, 1, "Fri, 26 Nov 2027 10:00:00 GMT") == 36000
    assert after(429, 1, "60", RetrySchedule((0, 1, 2), jitter=0)) == 2


def test_retry_after_does_not_add_an_attempt_to_a_spent_schedule() -> None:
    assert after(429, 8, "60") is None


def test_an_unreadable_retry_after_falls_back_to_the_schedule() -> None:
    assert after(429, 1, "soon") == 5


@pytest.mark.parametrize(("header", "seconds"), [
    ("120", 120), (" 7 ", 7), ("0", 0), ("-5", 0),
    ("Thu, 26 Nov 2026 10:02:00 GMT", 120),  # IMF-fixdate, the form to send
    ("Thursday, 26-Nov-26 10:02:00 GMT", 120),  # RFC 850, which must still be read
    ("Thu Nov 26 10:02:00 2026", 120),  # asctime, likewise
    ("Thu, 26 Nov 2026 10:02:00 -0000", 120),
    ("Thu, 26 Nov 2026 09:00:00 GMT", 0),  # already past
])
def test_retry_after_reads_delta_seconds_and_all_three_http_date_forms(
        header: str, seconds: float) -> None:
    assert retry_after_s(header, NOW) == seconds


@pytest.mark.parametrize("header", [None, "", "soon", "1.5", "+5", "9" * 5000,
                                    "Thu, 99 Nov 2026 10:02:00 GMT"])
def test_an_absent_or_invalid_retry_after_reads_as_none(header: str | None) -> None:
    assert retry_after_s(header, NOW) is None


# Disabling an endpoint that keeps failing


def test_an_endpoint_is_disabled_after_five_days_failing_and_not_a_moment_before() -> None:
    since = NOW - timedelta(days=5)
    assert should_auto_disable(since, NOW)
    assert not should_auto_disable(since + timedelta(microseconds=1), NOW)
    assert not should_auto_disable(None, NOW)


def test_the_auto_disable_period_is_configurable() -> None:
    assert should_auto_disable(NOW - HOUR, NOW, period=HOUR)
    assert not should_auto_disable(NOW - HOUR, NOW, period=2 * HOUR)


def test_failing_since_is_the_first_failure_of_the_run_and_a_success_clears_it() -> None:
    state = after_failure(CircuitState(), NOW - 6 * timedelta(days=1))
    state = after_failure(state, NOW)
    assert state.failing_since == NOW - 6 * timedelta(days=1)
    assert should_auto_disable(state.failing_since, NOW)
    assert after_success(state).failing_since is None


# The circuit breaker


def failed(times: int, at: datetime = NOW, state: CircuitState | None = None) -> CircuitState:
    for _ in range(times):
        state = after_failure(state or CircuitState(), at, threshold=3,
                              base_cooldown=MINUTE, max_cooldown=HOUR)
    assert state is not None
    return state


def test_the_circuit_stays_closed_below_the_threshold() -> None:
    state = failed(2)
    assert state.open_until is None and allows_attempt(state, NOW)
    assert start_attempt(state, NOW) == state


def test_the_circuit_opens_at_the_threshold_for_the_cool_down() -> None:
    state = failed(3)
    assert state.open_until == NOW + MINUTE
    assert not allows_attempt(state, NOW + MINUTE - timedelta(microseconds=1))
    assert start_attempt(state, NOW) is None


def test_half_open_lets_one_trial_through_and_holds_the_rest_for_its_lease() -> None:
    half_open = NOW + MINUTE
    trial = start_attempt(failed(3), half_open, lease=timedelta(seconds=30))
    assert trial is not None and trial.trial
    assert not allows_attempt(trial, half_open)
    assert start_attempt(trial, half_open + timedelta(seconds=29)) is None
    # A worker that died mid-trial does not leave the circuit stuck open.
    assert start_attempt(trial, half_open + timedelta(seconds=30)) is not None


def test_a_successful_trial_closes_the_circuit() -> None:
    trial = start_attempt(failed(3), NOW + MINUTE)
    assert trial is not None
    closed = after_success(trial)
    assert closed == CircuitState() and allows_attempt(closed, NOW + MINUTE)


def test_a_failed_trial_reopens_the_circuit_for_twice_as_long() -> None:
    trial = start_attempt(failed(3), NOW + MINUTE)
    assert trial is not None
    reopened = failed(1, NOW + MINUTE, trial)
    assert reopened.open_until == NOW + MINUTE + 2 * MINUTE
    assert not reopened.trial and reopened.opened_times == 2


def test_the_cool_down_doubles_up_to_its_cap_and_no_further() -> None:
    state, at, cooldowns = failed(3), NOW, []
    for _ in range(40):  # 40 doublings of a minute would overflow a timedelta
        assert state.open_until is not None
        cooldowns.append(state.open_until - at)
        at = state.open_until
        trial = start_attempt(state, at)
        assert trial is not None
        state = failed(1, at, trial)
    assert cooldowns[:7] == [MINUTE * 2 ** n for n in range(6)] + [HOUR]
    assert set(cooldowns[6:]) == {HOUR}
    # Long after any timedelta or float would have overflowed, still the cap.
    endless = CircuitState(consecutive_failures=5000, open_until=NOW, opened_times=5000)
    assert failed(1, NOW, endless).open_until == NOW + HOUR


def test_a_failure_from_before_the_circuit_opened_does_not_lengthen_the_cool_down() -> None:
    state = failed(3)
    late = failed(1, NOW + timedelta(seconds=10), state)
    assert late.open_until == state.open_until and late.opened_times == 1


def test_a_failure_once_the_cool_down_has_passed_counts_as_a_failed_trial() -> None:
    state = failed(1, NOW + MINUTE, failed(3))
    assert state.open_until == NOW + 3 * MINUTE


def test_a_threshold_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        after_failure(CircuitState(), NOW, threshold=0)
