"""The subscriptions API's bodies and answers, and the webhook types a partner can ask
for."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from civic.contracts.common import Band, Category, WardCode
from partner_notifications.subscriptions.models import Subscription


class WebhookType(StrEnum):
    CASE_SCORED = "case.scored"
    CASE_CLAIMED = "case.claimed"
    CASE_RELEASED = "case.released"
    CASE_STATUS_CHANGED = "case.status_changed"
    AREA_NEED_UPDATED = "area.need_updated"
    PING = "ping"


class Filters(BaseModel):
    """Which cases and areas: each list within the partner's coverage; empty means all of
    it (as the coverage stands when each event is matched, so a narrowed coverage
    narrows every subscription at once)."""

    model_config = ConfigDict(extra="forbid")

    wards: list[WardCode] = Field(default_factory=list, max_length=100)
    categories: list[Category] = Field(default_factory=list)
    min_band: Band | None = Field(default=None, description="Only cases scored at least "
                                  "this band (low < medium < high < urgent).")


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, examples=["https://hooks.ktfb.org.uk/civic"],
                     description="HTTPS; plain http only for development addresses.")
    event_types: list[WebhookType] = Field(min_length=1, max_length=len(WebhookType))
    filters: Filters = Field(default_factory=Filters)
    rate_limit_per_s: float | None = Field(default=None, ge=0.1, le=1000, description=(
        "At most this many requests a second to this endpoint from each of the service's "
        "worker processes; none: no limit of yours."))


class SubscriptionChangeIn(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2000)
    event_types: list[WebhookType] | None = Field(default=None, min_length=1,
                                                  max_length=len(WebhookType))
    filters: Filters | None = None
    rate_limit_per_s: float | None = Field(default=None, gt=0, le=1000)


class SubscriptionOut(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[WebhookType]
    filters: Filters
    rate_limit_per_s: float | None
    status: str = Field(description="active or disabled")
    disabled_reason: str | None = Field(description="gone (the endpoint answered 410), "
                                        "or failing (auto-disabled)")
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Subscription) -> SubscriptionOut:
        filters = Filters(wards=row.wards, categories=[Category(c) for c in row.categories],
                          min_band=Band(row.min_band) if row.min_band else None)
        return cls(id=row.id, url=row.url, event_types=[WebhookType(t) for t in row.event_types],
                   filters=filters,
                   rate_limit_per_s=row.rate_limit_per_s, status=row.status,
                   disabled_reason=row.disabled_reason, disabled_at=row.disabled_at,
                   created_at=row.created_at, updated_at=row.updated_at)


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(description="The whsec_ signing secret, shown this once.")


class SecretRotatedOut(BaseModel):
    secret: str = Field(description="The new whsec_ secret, shown this once.")
    previous_signs_until: datetime | None = Field(
        description="Until then every request also carries the old secret's signature.")


class PingOut(BaseModel):
    delivered: bool = Field(description="The endpoint answered 2xx.")
    status_code: int | None
    latency_ms: int
    body: str = Field(description="The start of the endpoint's answer (at most 500 "
                      "characters).")
    error: str | None = Field(description="Why there was no answer, if there was none.")
