"""Recording what an attempt came to, in one transaction: the attempt in the delivery
log, the delivery's next step (delivered, another attempt, or a dead letter), the
endpoint's health (its circuit, a 410, days of failures), and the events that go with
them (``partners.deliveries``), through the outbox."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from civic import outbox
from civic.contracts import EventPayload
from civic.contracts.partners import (
    DeliveryAttempted,
    DeliveryOutcome,
    EndpointDisabled,
    EndpointDisabledReason,
)
from civic.db import write_lock
from partner_notifications import IDENTITY
from partner_notifications.deliveries import repository
from partner_notifications.deliveries.models import Delivery, DeliveryAttempt
from partner_notifications.deliveries.policy import (
    CircuitState,
    RetrySchedule,
    Verdict,
    after_failure,
    after_success,
    judge,
    next_attempt_at,
    should_auto_disable,
)
from partner_notifications.metrics import DeliveryMetrics
from partner_notifications.sending.sender import BODY_EXCERPT, AttemptResult
from partner_notifications.subscriptions.models import Subscription

log = logging.getLogger(__name__)


class Outcome(NamedTuple):
    delivery_id: uuid.UUID
    token: str  # the lease it was sent under
    result: AttemptResult


class OutcomeRecorder:
    def __init__(self, engine: Engine, sessions: sessionmaker[Session], metrics: DeliveryMetrics,
                 *, schedule: RetrySchedule, disable_after: timedelta,
                 circuit_threshold: int, circuit_cooldown: timedelta,
                 circuit_max_cooldown: timedelta, on_publish: Callable[[], None] = lambda: None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.sessions = sessions
        self.metrics = metrics
        self.schedule = schedule
        self.disable_after = disable_after
        self.circuit = (circuit_threshold, circuit_cooldown, circuit_max_cooldown)
        self.on_publish = on_publish
        self.clock = clock
        self.rng = random.Random()

    def record_all(self, outcomes: Sequence[Outcome]) -> list[AttemptResult]:
        """Every outcome in one transaction, in the order given: a worker records what
        has come back since its last commit together, since a commit costs more than
        everything else an outcome needs. Rows are locked in id order, so two workers'
        batches never wait on each other in a cycle. Returns the results recorded."""
        now = self.clock()
        recorded: list[tuple[DeliveryOutcome, AttemptResult]] = []
        events: list[EventPayload] = []
        lost: list[uuid.UUID] = []
        with write_lock(self.engine), self.sessions.begin() as session:
            held = repository.held_all(session, {o.delivery_id: o.token for o in outcomes})
            subs = repository.subscriptions_locked(
                session, {d.subscription_id for d in held.values()})
            for o in outcomes:
                if (delivery := held.get(o.delivery_id)) is None:
                    lost.append(o.delivery_id)
                elif (sub := subs.get(delivery.subscription_id)) is not None:
                    # (no subscription: removed mid-attempt, its deliveries went with it)
                    outcome = self._advance(session, delivery, sub, o.result, now, events)
                    recorded.append((outcome, o.result))
            outbox.enqueue_many(session.connection(), events, source=IDENTITY.event_source)
        self._count(recorded, events, lost)
        if recorded:
            self.on_publish()
        return [result for _, result in recorded]  # those recorded (not lost or gone)

    def _count(self, recorded: list[tuple[DeliveryOutcome, AttemptResult]],
               events: list[EventPayload], lost: list[uuid.UUID]) -> None:
        """Once committed, so a batch that is rolled back and recorded again one by one
        is counted once."""
        for delivery_id in lost:
            self.metrics.lease_lost.inc()
            log.warning("delivery %s was taken over by another worker mid-attempt", delivery_id)
        for outcome, result in recorded:
            self.metrics.attempts.labels(outcome.value).inc()
            self.metrics.attempt_seconds.labels(outcome.value).observe(result.latency_ms / 1000)
            if outcome is DeliveryOutcome.DEAD_LETTERED:
                self.metrics.dead_letters.inc()
        for event in events:
            if isinstance(event, EndpointDisabled):
                self.metrics.disabled.labels(event.reason.value).inc()

    def _advance(self, session: Session, delivery: Delivery, sub: Subscription,
                 result: AttemptResult, now: datetime, events: list[EventPayload]
                 ) -> DeliveryOutcome:
        """Changes the rows in place (the caller's session holds them); ``events``
        gets what the outbox is to publish."""
        delivery.attempts += 1
        delivery.leased_until, delivery.leased_by = None, None
        delivery.last_status_code, delivery.last_error = result.status_code, result.error
        verdict = judge(result.status_code)
        next_at = None
        if verdict is Verdict.SUCCEEDED:
            outcome = DeliveryOutcome.SUCCEEDED
            delivery.status, delivery.finished_at = "delivered", now
            self._set_circuit(sub, after_success(circuit_of(sub)))
        else:
            threshold, cooldown, longest = self.circuit
            state = after_failure(circuit_of(sub), now, threshold, cooldown, longest)
            self._set_circuit(sub, state)
            next_at = next_attempt_at(result.status_code, result.retry_after, delivery.attempts,
                                      now, self.schedule, self.rng)
            if verdict is Verdict.DISABLE:
                self._disable(events, sub, EndpointDisabledReason.GONE, now)
                next_at = now + timedelta(seconds=self.schedule.longest_s)  # kept for re-enabling
            elif should_auto_disable(state.failing_since, now, self.disable_after):
                self._disable(events, sub, EndpointDisabledReason.FAILING, now)
            if next_at is None:
                outcome = DeliveryOutcome.DEAD_LETTERED
                delivery.status, delivery.finished_at = "dead", now
            else:
                outcome = DeliveryOutcome.FAILED
                delivery.next_attempt_at = next_at
        repository.add_attempt(session, DeliveryAttempt(
            delivery_id=delivery.id, attempt=delivery.attempts, at=now,
            status_code=result.status_code, latency_ms=result.latency_ms,
            response_body=result.body[:BODY_EXCERPT], error=result.error, outcome=outcome.value))
        events.append(DeliveryAttempted(
            delivery_id=delivery.id, subscription_id=sub.id, partner_id=sub.partner_id,
            event_id=delivery.event_id[:64], delivered_event_type=delivery.webhook_type,
            attempt=delivery.attempts, attempted_at=now, outcome=outcome,
            http_status=result.status_code if result.status_code else None,
            duration_ms=result.latency_ms, next_attempt_at=next_at,
            error=_error_kind(result)))
        return outcome

    def _disable(self, events: list[EventPayload], sub: Subscription,
                 reason: EndpointDisabledReason, now: datetime) -> None:
        if sub.status == "disabled":
            return
        sub.status, sub.disabled_reason, sub.disabled_at = "disabled", reason.value, now
        events.append(EndpointDisabled(
            subscription_id=sub.id, partner_id=sub.partner_id, reason=reason, disabled_at=now,
            failing_since=sub.failing_since))

    @staticmethod
    def _set_circuit(sub: Subscription, state: CircuitState) -> None:
        sub.circuit_failures, sub.circuit_open_until = state.consecutive_failures, state.open_until
        sub.circuit_opened_times, sub.circuit_trial = state.opened_times, state.trial
        sub.failing_since = state.failing_since


def circuit_of(sub: Subscription) -> CircuitState:
    return CircuitState(consecutive_failures=sub.circuit_failures,
                        open_until=sub.circuit_open_until, opened_times=sub.circuit_opened_times,
                        trial=sub.circuit_trial, failing_since=sub.failing_since)


def _error_kind(result: AttemptResult) -> str | None:
    """For the bus: what kind of failure, never the partner's answer (it may quote
    anything); the delivery log in the database keeps the start of the answer."""
    if result.error:
        return result.error.split(":", 1)[0][:200]
    if result.status_code and not 200 <= result.status_code < 300:
        return f"HTTP {result.status_code}"
    return None
