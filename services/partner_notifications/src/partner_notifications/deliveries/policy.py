"""When a webhook is tried again, when it is given up, and when an endpoint is left alone.

Partners are small voluntary groups whose servers go down for hours, so a delivery is
tried on a schedule spanning most of a day, and an endpoint that is down is not hammered.
The rules come from the Standard Webhooks specification ("Deliverability and
reliability", "Delivery success and failure") and from Svix, whose schedule it is:

- attempts go immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, with
  jitter so that retries caused by our own load do not arrive together again;
- only 2xx is success; 3xx fails, since redirects are never followed (egress.py); 410
  Gone is the partner saying "stop", so the endpoint is disabled at once;
- ``Retry-After`` on 429 and 503 is honoured, capped at the longest step so a partner
  cannot park a delivery for a year, and never sooner than the schedule's own retry;
- an endpoint failing for 5 days in a row is disabled (Svix's server: 120 hours);
- a circuit breaker stops sending to an endpoint that is failing right now, so one dead
  partner does not fill the worker with retries bound to fail.

Everything here is a pure function of plain data: the worker stores ``CircuitState`` in
columns and passes ``now`` and a ``random.Random`` in, so every rule is testable without
a clock, a database or a network.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

DEFAULT_SCHEDULE_S: tuple[float, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
DEFAULT_DISABLE_AFTER = timedelta(days=5)
# The specification names 503 as the status that carries it; 429 carries it by RFC 6585.
RETRY_AFTER_STATUSES = frozenset({429, 503})
GONE = 410
_DELTA_SECONDS = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class RetrySchedule:
    """``delays_s[i]`` is the wait before attempt ``i + 1``, so ``delays_s[0]`` is the wait
    before the first (0: at once) and ``len(delays_s)`` is the number of attempts.

    Each wait is spread by up to ``jitter`` of itself either way; ``jitter`` is at most 1
    so that a wait is never negative.
    """

    delays_s: tuple[float, ...] = DEFAULT_SCHEDULE_S
    jitter: float = 0.1

    def __post_init__(self) -> None:
        if not self.delays_s:
            raise ValueError("a schedule needs at least one attempt")
        if any(not math.isfinite(d) or d < 0 for d in self.delays_s):
            raise ValueError(f"delays must be finite and not negative: {self.delays_s}")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"jitter is a fraction from 0 to 1: {self.jitter}")

    @property
    def attempts(self) -> int:
        return len(self.delays_s)

    @property
    def longest_s(self) -> float:
        """The cap on a partner's ``Retry-After``."""
        return max(self.delays_s)

    def next_delay(self, attempt_just_made: int, rng: random.Random) -> float | None:
        """Seconds to wait before the next attempt, after attempt ``attempt_just_made``
        (0 before any); None when none is left, and the delivery is dead-lettered."""
        if attempt_just_made < 0:
            raise ValueError("attempts are numbered from 1 (0: none made yet)")
        if attempt_just_made >= self.attempts:
            return None
        delay = self.delays_s[attempt_just_made]
        return delay * (1 + rng.uniform(-self.jitter, self.jitter))


class Verdict(StrEnum):
    SUCCEEDED = "succeeded"
    RETRY = "retry"  # if the schedule has an attempt left
    DISABLE = "disable"  # the endpoint, now: no retry of this or any other delivery


def judge(status: int | None) -> Verdict:
    """What a response means. ``None`` is no response at all: a timeout, a refused or
    reset connection, a TLS failure, an address refused by egress.py."""
    if status is not None and 200 <= status <= 299:
        return Verdict.SUCCEEDED
    if status == GONE:
        return Verdict.DISABLE
    return Verdict.RETRY


def retry_after_s(header: str | None, now: datetime) -> float | None:
    """Seconds a ``Retry-After`` value asks for, from delta-seconds or an HTTP-date
    (RFC 9110 10.2.3); None if it is absent or unreadable, 0 if it is already past.
    ``now`` must be aware."""
    if header is None:
        return None
    value = header.strip()
    if _DELTA_SECONDS.fullmatch(value):
        try:
            return float(max(0, int(value)))
        except ValueError:  # more digits than int() reads: nobody means that
            return None
    try:
        when = parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": HTTP-dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def next_attempt_at(status: int | None, retry_after: str | None, attempt_just_made: int,
                    now: datetime, schedule: RetrySchedule,
                    rng: random.Random) -> datetime | None:
    """When to try again after attempt ``attempt_just_made`` got ``status`` (None: no
    response) and the raw ``Retry-After`` header; None when no attempt follows, because
    it succeeded, the endpoint is gone (see ``judge``) or the schedule is spent."""
    if judge(status) is not Verdict.RETRY:
        return None
    delay = schedule.next_delay(attempt_just_made, rng)
    if delay is None:
        return None
    # Only where the specification says the header is meant: elsewhere it is noise.
    asked = retry_after_s(retry_after, now) if status in RETRY_AFTER_STATUSES else None
    if asked is not None:
        delay = max(delay, min(asked, schedule.longest_s))
    return now + timedelta(seconds=delay)


def should_auto_disable(failing_since: datetime | None, now: datetime,
                        period: timedelta = DEFAULT_DISABLE_AFTER) -> bool:
    """Whether an endpoint that has failed every attempt since ``failing_since`` (None:
    its last attempt succeeded) has failed for ``period`` or longer."""
    return failing_since is not None and now - failing_since >= period


@dataclass(frozen=True)
class CircuitState:
    """One endpoint's recent health, stored with the endpoint.

    Closed when ``open_until`` is None; open until then; half-open once it has passed,
    when one trial attempt is let through (``start_attempt`` holds the circuit open
    for a lease while the trial runs, so other workers wait for its answer).
    """

    consecutive_failures: int = 0
    open_until: datetime | None = None
    opened_times: int = 0  # in this run of failures: each time the cool-down doubles
    trial: bool = False  # a half-open trial is out: its failure re-opens the circuit
    failing_since: datetime | None = None  # for should_auto_disable


def allows_attempt(state: CircuitState, now: datetime) -> bool:
    return state.open_until is None or now >= state.open_until


def start_attempt(state: CircuitState, now: datetime,
                  lease: timedelta = timedelta(seconds=60)) -> CircuitState | None:
    """The state to store as an attempt starts, or None if the circuit forbids one.
    ``lease`` should outlast the request timeout: a worker that dies mid-trial leaves the
    circuit half-open again when it ends, not stuck open."""
    if not allows_attempt(state, now):
        return None
    if state.open_until is None:
        return state
    return replace(state, open_until=now + lease, trial=True)


def after_success(state: CircuitState) -> CircuitState:
    """Any 2xx shows the endpoint works: close the circuit and forget the failures."""
    return CircuitState()


def after_failure(state: CircuitState, now: datetime, threshold: int = 5,
                  base_cooldown: timedelta = timedelta(minutes=1),
                  max_cooldown: timedelta = timedelta(hours=1)) -> CircuitState:
    """Count a failed attempt; open the circuit after ``threshold`` in a row, and re-open
    it when a half-open trial fails, each cool-down twice the last, up to
    ``max_cooldown``."""
    if threshold < 1:
        raise ValueError("the threshold is at least one failure")
    counted = replace(state, consecutive_failures=state.consecutive_failures + 1,
                      failing_since=state.failing_since or now)
    if state.open_until is None:
        reopen = counted.consecutive_failures >= threshold
    else:
        # Open and no trial out: an attempt begun before it opened, which tells us
        # nothing new, so it must not lengthen the cool-down.
        reopen = state.trial or now >= state.open_until
    if not reopen:
        return counted
    opened = state.opened_times + 1
    # Float seconds with a bounded exponent, so min() gets to cap it: a doubled timedelta
    # overflows after about 40 re-openings, and 2.0 ** n after about 1,000.
    seconds = base_cooldown.total_seconds() * 2.0 ** min(opened - 1, 64)
    cooldown = timedelta(seconds=min(seconds, max_cooldown.total_seconds()))
    return replace(counted, open_until=now + cooldown, opened_times=opened, trial=False)
