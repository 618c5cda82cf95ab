"""The delivery log's answers and the recovery bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from partner_notifications.deliveries.models import Delivery, DeliveryAttempt


class AttemptOut(BaseModel):
    attempt: int
    at: datetime
    status_code: int | None
    latency_ms: int
    response_body: str = Field(description="The start of your endpoint's answer.")
    error: str | None
    outcome: str

    @classmethod
    def of(cls, row: DeliveryAttempt) -> AttemptOut:
        return cls(attempt=row.attempt, at=row.at, status_code=row.status_code,
                   latency_ms=row.latency_ms, response_body=row.response_body,
                   error=row.error, outcome=row.outcome)


class DeliveryOut(BaseModel):
    id: uuid.UUID
    webhook_id: str = Field(description="The webhook-id header: the same on every attempt "
                            "and every resend.")
    type: str
    case_ref: uuid.UUID | None
    status: str = Field(description="pending, delivered or dead (a dead letter: every "
                        "attempt failed)")
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    created_at: datetime
    finished_at: datetime | None
    attempt_log: list[AttemptOut] | None = None

    @classmethod
    def of(cls, row: Delivery, attempts: list[DeliveryAttempt] | None = None) -> DeliveryOut:
        return cls(id=row.id, webhook_id=row.webhook_id, type=row.webhook_type,
                   case_ref=row.case_id, status=row.status, attempts=row.attempts,
                   next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
                   last_status_code=row.last_status_code, created_at=row.created_at,
                   finished_at=row.finished_at,
                   attempt_log=None if attempts is None else [AttemptOut.of(a) for a in attempts])


class RecoverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: datetime = Field(description="Resend every message made since then that has not "
                            "been delivered (dead letters and those still retrying).")


class RequeuedOut(BaseModel):
    requeued: int
