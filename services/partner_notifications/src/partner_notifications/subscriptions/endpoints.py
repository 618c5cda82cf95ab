"""A partner manages its own subscriptions: another partner's are invisible to it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES
from partner_notifications.dependencies import Subscriptions
from partner_notifications.subscriptions.schemas import (
    PingOut,
    SecretRotatedOut,
    SubscriptionChangeIn,
    SubscriptionCreatedOut,
    SubscriptionIn,
    SubscriptionOut,
)

router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"],
                   responses=PROBLEM_RESPONSES)
Partner = Annotated[Principal, Depends(require(Role.PARTNER))]
NOT_YOURS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such subscription of yours"}}


@router.post("", status_code=201, response_model=SubscriptionCreatedOut, responses={
    403: {"description": "Your key has no coverage yet"},
    422: {"description": "The URL is not allowed, an event type is unknown, or a filter "
          "is wider than your coverage; the detail names it"}})
def create_subscription(body: SubscriptionIn, partner: Partner,
                        subscriptions: Subscriptions) -> SubscriptionCreatedOut:
    """Subscribe an endpoint. The answer holds its signing secret, shown this once."""
    return subscriptions.create(body, partner)


@router.get("", response_model=list[SubscriptionOut])
def list_subscriptions(partner: Partner, subscriptions: Subscriptions) -> list[SubscriptionOut]:
    return subscriptions.every(partner)


@router.get("/{subscription_id}", response_model=SubscriptionOut, responses=NOT_YOURS)
def get_subscription(subscription_id: uuid.UUID, partner: Partner,
                     subscriptions: Subscriptions) -> SubscriptionOut:
    return subscriptions.get(subscription_id, partner)


@router.patch("/{subscription_id}", response_model=SubscriptionOut, responses=NOT_YOURS)
def change_subscription(subscription_id: uuid.UUID, body: SubscriptionChangeIn,
                        partner: Partner, subscriptions: Subscriptions) -> SubscriptionOut:
    return subscriptions.change(subscription_id, body, partner)


@router.delete("/{subscription_id}", status_code=204, response_class=Response,
               responses=NOT_YOURS)
def remove_subscription(subscription_id: uuid.UUID, partner: Partner,
                        subscriptions: Subscriptions) -> Response:
    subscriptions.remove(subscription_id, partner)
    return Response(status_code=204)


@router.post("/{subscription_id}/enable", response_model=SubscriptionOut, responses=NOT_YOURS)
def enable_subscription(subscription_id: uuid.UUID, partner: Partner,
                        subscriptions: Subscriptions) -> SubscriptionOut:
    """Turn an endpoint back on after it was disabled (a 410, or days of failures)."""
    return subscriptions.enable(subscription_id, partner)


@router.post("/{subscription_id}/rotate-secret", response_model=SecretRotatedOut,
             responses=NOT_YOURS)
def rotate_secret(subscription_id: uuid.UUID, partner: Partner,
                  subscriptions: Subscriptions) -> SecretRotatedOut:
    """A new signing secret. The old one keeps signing alongside it for the overlap
    (24 h unless the council set otherwise), so you can switch without losing a message."""
    return subscriptions.rotate_secret(subscription_id, partner)


@router.post("/{subscription_id}/ping", response_model=PingOut, responses=NOT_YOURS)
async def ping(subscription_id: uuid.UUID, partner: Partner,
               subscriptions: Subscriptions) -> PingOut:
    """Send a signed test event now and report the endpoint's status, latency and the
    start of its answer."""
    return await subscriptions.ping(subscription_id, partner)
