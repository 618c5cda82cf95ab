"""A consumer's handler waits out a database outage instead of failing its way to the
dead-letter topic, within a bound below the group's poll interval; other errors are
not waited on. (Unit tests: the outage is an exception raised on cue.)"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import OperationalError

from civic.contracts import decode, encode
from civic.contracts.cases import CaseErased
from civic.contracts.envelope import Envelope
from civic.kafka.background import OUTAGE_WAIT_S, waiting_out_database_outages
from civic.kafka.handling import RetryPolicy


def _envelope() -> Envelope:
    record = encode(CaseErased(case_id=uuid.uuid4(), erased_at=datetime.now(UTC),
                               case_version=2), source="urn:test")
    return decode(record.headers, record.value, record.key)


def _down(times: int, handled: list[Envelope]):  # type: ignore[no-untyped-def]
    calls = {"n": 0}

    def handler(envelope: Envelope) -> None:
        calls["n"] += 1
        if calls["n"] <= times:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database away"))
        handled.append(envelope)

    return handler


def test_an_event_waits_while_the_database_is_away_and_is_handled_once_it_is_back() -> None:
    handled: list[Envelope] = []
    slept: list[float] = []
    event = _envelope()
    waiting_out_database_outages(_down(4, handled), sleep=slept.append)(event)
    assert handled == [event]
    assert slept == [0.5, 1.0, 2.0, 4.0], "it backs off between looks"


def test_an_outage_longer_than_the_bound_goes_to_the_consumer_s_retries() -> None:
    slept: list[float] = []
    with pytest.raises(OperationalError):
        waiting_out_database_outages(_down(10_000, []), sleep=slept.append)(_envelope())
    assert OUTAGE_WAIT_S <= sum(slept) < OUTAGE_WAIT_S + 10
    assert max(slept) == 10.0, "no single pause is longer than ten seconds"
    policy = RetryPolicy()
    pauses = policy.max_attempts * (OUTAGE_WAIT_S + 10 + policy.max_backoff_s)
    assert pauses < 300, "one record's pauses, all attempts, below max_poll_interval"


def test_other_errors_are_not_waited_on() -> None:
    def broken(envelope: Envelope) -> None:
        raise ValueError("a bug, not an outage")

    slept: list[float] = []
    with pytest.raises(ValueError):
        waiting_out_database_outages(broken, sleep=slept.append)(_envelope())
    assert slept == []
