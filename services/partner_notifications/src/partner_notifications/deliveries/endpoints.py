"""A partner reads the delivery log of its own subscriptions (dead letters included)
and asks for resends."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES
from partner_notifications.deliveries.schemas import DeliveryOut, RecoverIn, RequeuedOut
from partner_notifications.dependencies import Deliveries

router = APIRouter(prefix="/v1/subscriptions/{subscription_id}", tags=["deliveries"],
                   responses=PROBLEM_RESPONSES)
Partner = Annotated[Principal, Depends(require(Role.PARTNER))]
NOT_YOURS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such subscription of yours, or no such delivery in it"}}


@router.get("/deliveries", response_model=list[DeliveryOut], responses=NOT_YOURS)
def list_deliveries(
        subscription_id: uuid.UUID, partner: Partner, deliveries: Deliveries,
        status: Annotated[Literal["pending", "delivered", "dead"] | None,
                          Query(description="dead: the dead letters")] = None,
        since: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[DeliveryOut]:
    """Newest first."""
    return deliveries.of_subscription(subscription_id, partner, status=status, since=since,
                                      limit=limit)


@router.get("/deliveries/{delivery_id}", response_model=DeliveryOut, responses=NOT_YOURS)
def get_delivery(subscription_id: uuid.UUID, delivery_id: uuid.UUID, partner: Partner,
                 deliveries: Deliveries) -> DeliveryOut:
    """One message with every attempt: status code, latency and the start of the answer."""
    return deliveries.one(subscription_id, delivery_id, partner)


@router.post("/deliveries/{delivery_id}/resend", response_model=DeliveryOut,
             responses=NOT_YOURS)
def resend_delivery(subscription_id: uuid.UUID, delivery_id: uuid.UUID, partner: Partner,
                    deliveries: Deliveries) -> DeliveryOut:
    """Send it again now, with the same webhook-id and body."""
    return deliveries.resend(subscription_id, delivery_id, partner)


@router.post("/recover", response_model=RequeuedOut, responses=NOT_YOURS)
def recover(subscription_id: uuid.UUID, body: RecoverIn, partner: Partner,
            deliveries: Deliveries) -> RequeuedOut:
    """Resend everything not delivered since a time, each with its original webhook-id."""
    return deliveries.recover(subscription_id, body.since, partner)
