"""Every query about subscriptions and their signing secrets."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from partner_notifications.subscriptions.models import SigningSecret, Subscription


def get(session: Session, subscription_id: uuid.UUID, partner_id: str) -> Subscription | None:
    """A partner's own subscription; another partner's is as if it did not exist."""
    return session.scalars(select(Subscription).where(
        Subscription.id == subscription_id, Subscription.partner_id == partner_id)).first()


def of_partner(session: Session, partner_id: str) -> list[Subscription]:
    return list(session.scalars(select(Subscription).where(
        Subscription.partner_id == partner_id).order_by(Subscription.created_at)))


def bring_forward(session: Session, subscription_id: uuid.UUID, now: datetime) -> None:
    """Its waiting deliveries are due now (after re-enabling, not in hours)."""
    from partner_notifications.deliveries.models import Delivery

    session.execute(update(Delivery).where(
        Delivery.subscription_id == subscription_id, Delivery.status == "pending",
        Delivery.next_attempt_at > now).values(next_attempt_at=now).execution_options(
        synchronize_session=False))


def signing_secrets(session: Session, subscription_id: uuid.UUID,
                    now: datetime) -> list[SigningSecret]:
    """Secrets that sign now: the current one first, then those still overlapping."""
    return signing_secrets_of(session, [subscription_id], now).get(subscription_id, [])


def signing_secrets_of(session: Session, subscription_ids: Iterable[uuid.UUID],
                       now: datetime) -> dict[uuid.UUID, list[SigningSecret]]:
    """signing_secrets for several subscriptions, in one query."""
    found: dict[uuid.UUID, list[SigningSecret]] = {}
    for secret in session.scalars(select(SigningSecret).where(
            SigningSecret.subscription_id.in_(set(subscription_ids)),
            or_(SigningSecret.signs_until.is_(None), SigningSecret.signs_until > now))):
        found.setdefault(secret.subscription_id, []).append(secret)
    for secrets in found.values():
        secrets.sort(key=lambda s: (s.signs_until is not None, -s.id))
    return found
