"""Events from partner notifications: the webhook delivery audit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from civic.contracts.base import EventPayload
from civic.contracts.common import ActorId


class DeliveryOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEAD_LETTERED = "dead_lettered"


class DeliveryAttempted(EventPayload):
    event_type: ClassVar[str] = "civic.partner.delivery_attempted.v1"
    topic: ClassVar[str] = "partners.deliveries"
    key_field: ClassVar[str] = "subscription_id"
    summary: ClassVar[str] = "One attempt to deliver a signed webhook to a partner."

    delivery_id: UUID
    subscription_id: UUID
    partner_id: ActorId
    event_id: str = Field(max_length=64, description="Id of the event being delivered.")
    delivered_event_type: str = Field(max_length=80)
    attempt: int = Field(ge=1)
    attempted_at: datetime
    outcome: DeliveryOutcome
    http_status: int | None = Field(default=None, ge=100, le=599)
    duration_ms: int = Field(ge=0)
    next_attempt_at: datetime | None = None
    error: str | None = Field(default=None, max_length=200)
