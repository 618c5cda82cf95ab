"""Recording what an attempt came to, in one transaction: the attempt in the delivery
log, the delivery's next step (delivered, another attempt, or a dead letter), the
endpoint's health (its circuit, a 410, days of failures), and the events that go with
them (``partners.deliveries``), through the outbox."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from civic import outbox
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

    def record(self, delivery_id: uuid.UUID, token: str, result: AttemptResult) -> None:
        now = self.clock()
        with write_lock(self.engine), self.sessions.begin() as session:
            delivery = repository.held(session, delivery_id, token)
            if delivery is None:
                self.metrics.lease_lost.inc()
                log.warning("delivery %s was taken over by another worker mid-attempt",
                            delivery_id)
                return
            sub = repository.subscription(session, delivery.subscription_id, for_update=True)
            if sub is None:
                return  # removed mid-attempt: its deliveries went with it
            outcome = self._advance(session, delivery, sub, result, now)
        self.metrics.attempts.labels(outcome.value).inc()
        self.metrics.attempt_seconds.labels(outcome.value).observe(result.latency_ms / 1000)
        self.on_publish()

    def _advance(self, session: Session, delivery: Delivery, sub: Subscription,
                 result: AttemptResult, now: datetime) -> DeliveryOutcome:
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
                self._disable(session, sub, EndpointDisabledReason.GONE, now)
                next_at = now + timedelta(seconds=self.schedule.longest_s)  # kept for re-enabling
            elif should_auto_disable(state.failing_since, now, self.disable_after):
                self._disable(session, sub, EndpointDisabledReason.FAILING, now)
            if next_at is None:
                outcome = DeliveryOutcome.DEAD_LETTERED
                delivery.status, delivery.finished_at = "dead", now
                self.metrics.dead_letters.inc()
            else:
                outcome = DeliveryOutcome.FAILED
                delivery.next_attempt_at = next_at
        session.add(DeliveryAttempt(
            delivery_id=delivery.id, attempt=delivery.attempts, at=now,
            status_code=result.status_code, latency_ms=result.latency_ms,
            response_body=result.body[:BODY_EXCERPT], error=result.error, outcome=outcome.value))
        outbox.enqueue(session.connection(), DeliveryAttempted(
            delivery_id=delivery.id, subscription_id=sub.id, partner_id=sub.partner_id,
            event_id=delivery.event_id[:64], delivered_event_type=delivery.webhook_type,
            attempt=delivery.attempts, attempted_at=now, outcome=outcome,
            http_status=result.status_code if result.status_code else None,
            duration_ms=result.latency_ms, next_attempt_at=next_at,
            error=_error_kind(result)), source=IDENTITY.event_source)
        return outcome

    def _disable(self, session: Session, sub: Subscription, reason: EndpointDisabledReason,
                 now: datetime) -> None:
        if sub.status == "disabled":
            return
        sub.status, sub.disabled_reason, sub.disabled_at = "disabled", reason.value, now
        self.metrics.disabled.labels(reason.value).inc()
        outbox.enqueue(session.connection(), EndpointDisabled(
            subscription_id=sub.id, partner_id=sub.partner_id, reason=reason, disabled_at=now,
            failing_since=sub.failing_since), source=IDENTITY.event_source)

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
