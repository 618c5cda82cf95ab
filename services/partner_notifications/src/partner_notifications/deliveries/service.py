"""A partner's view of its deliveries, and recovery: resend one message, or everything
that failed since a time (after an outage, say). A resend keeps the message's id and
body, so a partner that already has it can tell."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from civic.errors import NotFound
from civic.http.auth import Principal
from partner_notifications.deliveries import repository
from partner_notifications.deliveries.models import Delivery
from partner_notifications.deliveries.schemas import DeliveryOut, RequeuedOut
from partner_notifications.subscriptions.service import own_subscription


class DeliveryLog:
    def __init__(self, sessions: sessionmaker[Session], *,
                 on_requeue: Callable[[], None] = lambda: None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.sessions = sessions
        self.on_requeue = on_requeue
        self.clock = clock

    def of_subscription(self, subscription_id: uuid.UUID, partner: Principal, *,
                        status: str | None, since: datetime | None,
                        limit: int) -> list[DeliveryOut]:
        with self.sessions() as session:
            own_subscription(session, subscription_id, partner)
            return [DeliveryOut.of(d) for d in repository.of_subscription(
                session, subscription_id, status=status, since=since, limit=limit)]

    def one(self, subscription_id: uuid.UUID, delivery_id: uuid.UUID,
            partner: Principal) -> DeliveryOut:
        with self.sessions() as session:
            delivery = self._delivery(session, subscription_id, delivery_id, partner)
            return DeliveryOut.of(delivery, repository.attempts_of(session, delivery.id))

    def resend(self, subscription_id: uuid.UUID, delivery_id: uuid.UUID,
               partner: Principal) -> DeliveryOut:
        with self.sessions.begin() as session:
            self._delivery(session, subscription_id, delivery_id, partner)
            repository.requeue(session, subscription_id, self.clock(), delivery_id=delivery_id)
        self.on_requeue()
        return self.one(subscription_id, delivery_id, partner)

    def recover(self, subscription_id: uuid.UUID, since: datetime,
                partner: Principal) -> RequeuedOut:
        with self.sessions.begin() as session:
            own_subscription(session, subscription_id, partner)
            count = repository.requeue(session, subscription_id, self.clock(),
                                       failed_since=since)
        self.on_requeue()
        return RequeuedOut(requeued=count)

    def _delivery(self, session: Session, subscription_id: uuid.UUID, delivery_id: uuid.UUID,
                  partner: Principal) -> Delivery:
        own_subscription(session, subscription_id, partner)
        delivery = session.get(Delivery, delivery_id)
        if delivery is None or delivery.subscription_id != subscription_id:
            raise NotFound("No such delivery", f"subscription {subscription_id} has no "
                           f"delivery {delivery_id}", slug="delivery-not-found")
        return delivery
