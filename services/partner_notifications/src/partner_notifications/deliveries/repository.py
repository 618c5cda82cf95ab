"""Every query about deliveries, their attempts and the cases they are about."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from partner_notifications.deliveries.models import Delivery, DeliveryAttempt, KnownCase
from partner_notifications.partners.models import Partner
from partner_notifications.subscriptions.models import Subscription


def known_case(session: Session, case_id: uuid.UUID) -> KnownCase | None:
    return session.get(KnownCase, case_id)


def forget_case(session: Session, case_id: uuid.UUID) -> None:
    """Erasure: the case's facts and every message about it, attempts included."""
    session.execute(delete(Delivery).where(Delivery.case_id == case_id))
    session.execute(delete(KnownCase).where(KnownCase.case_id == case_id))


def listeners(session: Session, webhook_type: str) -> list[tuple[Subscription, Partner]]:
    """Active subscriptions to this type, with their (active) partners."""
    rows = session.execute(select(Subscription, Partner).join(
        Partner, Partner.id == Subscription.partner_id).where(
        Subscription.status == "active", Partner.active.is_(True)).order_by(Subscription.id))
    return [(s, p) for s, p in rows if webhook_type in s.event_types]


def notified_partners(session: Session, case_id: uuid.UUID) -> set[str]:
    return set(session.scalars(select(Delivery.partner_id).where(
        Delivery.case_id == case_id, Delivery.webhook_type == "case.scored")))


def has_delivery(session: Session, event_id: str, subscription_id: uuid.UUID) -> bool:
    return session.scalar(select(Delivery.id).where(
        Delivery.event_id == event_id, Delivery.subscription_id == subscription_id)) is not None


def due(session: Session, now: datetime, limit: int, *, skip: Iterable[uuid.UUID] = ()
        ) -> list[tuple[uuid.UUID, uuid.UUID, float | None]]:
    """(delivery, subscription, its rate limit) of pending deliveries that are due and
    unleased, to active endpoints of active partners whose circuit lets an attempt
    through, oldest first; none for the subscriptions in ``skip`` (those this worker
    cannot start now), so one endpoint's backlog never hides everyone else's."""
    skipped = list(skip)
    rows = session.execute(select(Delivery.id, Delivery.subscription_id,
                                  Subscription.rate_limit_per_s).join(
        Subscription, Subscription.id == Delivery.subscription_id).join(
        Partner, Partner.id == Subscription.partner_id).where(
        Partner.active.is_(True), Delivery.subscription_id.not_in(skipped),
        Delivery.status == "pending", Delivery.next_attempt_at <= now,
        or_(Delivery.leased_until.is_(None), Delivery.leased_until < now),
        Subscription.status == "active",
        or_(Subscription.circuit_open_until.is_(None), Subscription.circuit_open_until <= now),
    ).order_by(Delivery.next_attempt_at).limit(limit))
    return [(d, s, r) for d, s, r in rows]


def lease(session: Session, ids: Iterable[uuid.UUID], token: str, now: datetime,
          until: datetime) -> list[Delivery]:
    """Take the lease on those of ``ids`` nobody holds. A conditional update, so of two
    workers that chose the same row only one gets it, on PostgreSQL and on SQLite.
    ``token`` is new for each lease, so a lease taken over by another worker is told
    apart from this one."""
    wanted = list(ids)
    if not wanted:
        return []
    return list(session.scalars(update(Delivery).where(
        # status wrapped, so SQLite finds the rows by id rather than through the due
        # index (status, next attempt), which with a big queue reads all of it
        Delivery.id.in_(wanted), func.coalesce(Delivery.status, "") == "pending",
        or_(Delivery.leased_until.is_(None), Delivery.leased_until < now),
    ).values(leased_until=until, leased_by=token).returning(Delivery).execution_options(
        synchronize_session=False)))


def held_all(session: Session, tokens: dict[uuid.UUID, str]) -> dict[uuid.UUID, Delivery]:
    """Those of the deliveries still held under the given lease tokens, locked (in id
    order); one another worker has taken over since is left out."""
    if not tokens:
        return {}
    rows = session.scalars(select(Delivery).where(Delivery.id.in_(list(tokens))).order_by(
        Delivery.id).with_for_update())
    return {d.id: d for d in rows if d.leased_by == tokens[d.id]}


def subscriptions_locked(session: Session, ids: Iterable[uuid.UUID]
                         ) -> dict[uuid.UUID, Subscription]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    # FOR NO KEY UPDATE: it still orders workers' changes to a subscription, but no
    # longer waits on (or blocks) the consumer adding deliveries that reference it
    return {s.id: s for s in session.scalars(select(Subscription).where(
        Subscription.id.in_(wanted)).order_by(Subscription.id).with_for_update(
        key_share=True))}


def signing_secrets_for(session: Session, subscription_ids: Iterable[uuid.UUID],
                        now: datetime) -> dict[uuid.UUID, list[str]]:
    from partner_notifications.subscriptions.repository import signing_secrets_of

    subscription_ids = list(subscription_ids)
    if not subscription_ids:
        return {}
    return {sid: [s.secret for s in secrets]
            for sid, secrets in signing_secrets_of(session, subscription_ids, now).items()}


def add_attempt(session: Session, attempt: DeliveryAttempt) -> None:
    session.add(attempt)


def of_subscription(session: Session, subscription_id: uuid.UUID, *, status: str | None,
                    since: datetime | None, limit: int) -> list[Delivery]:
    query = select(Delivery).where(Delivery.subscription_id == subscription_id)
    if status:
        query = query.where(Delivery.status == status)
    if since:
        query = query.where(Delivery.created_at >= since)
    return list(session.scalars(query.order_by(Delivery.created_at.desc()).limit(limit)))


def attempts_of(session: Session, delivery_id: uuid.UUID) -> list[DeliveryAttempt]:
    return list(session.scalars(select(DeliveryAttempt).where(
        DeliveryAttempt.delivery_id == delivery_id).order_by(DeliveryAttempt.attempt)))


def requeue(session: Session, subscription_id: uuid.UUID, now: datetime, *,
            delivery_id: uuid.UUID | None = None, failed_since: datetime | None = None) -> int:
    """Send again: one delivery (whatever became of it), or every one that failed
    (dead, or still pending after a failed attempt) since a time. Same id, same body."""
    # A delivery in flight is left alone: its attempt will be recorded as it comes.
    conditions = [Delivery.subscription_id == subscription_id,
                  or_(Delivery.leased_until.is_(None), Delivery.leased_until < now)]
    if delivery_id is not None:
        conditions.append(Delivery.id == delivery_id)
    else:
        conditions += [Delivery.created_at >= failed_since,
                       or_(Delivery.status == "dead",
                           and_(Delivery.status == "pending", Delivery.attempts > 0))]
    result = session.execute(update(Delivery).where(*conditions).values(
        status="pending", next_attempt_at=now, leased_until=None, leased_by=None,
        finished_at=None).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


def backlog(session: Session, now: datetime) -> dict[str, int]:
    """Pending deliveries: due now, and waiting for a later attempt."""
    pending = select(func.count()).where(Delivery.status == "pending")
    due_now = int(session.scalar(pending.where(Delivery.next_attempt_at <= now)) or 0)
    return {"due": due_now, "later": int(session.scalar(pending) or 0) - due_now}


def drop_old_attempts(session: Session, before: datetime) -> int:
    result = session.execute(delete(DeliveryAttempt).where(DeliveryAttempt.at < before))
    gone = session.execute(delete(Delivery).where(Delivery.status != "pending",
                                                   Delivery.finished_at < before))
    return int(result.rowcount) + int(gone.rowcount)  # type: ignore[attr-defined]


def figures(sessions: sessionmaker[Session]) -> dict[str, int]:
    """For the metrics, at each scrape: the backlog and the endpoints' states."""
    now = datetime.now(UTC)
    with sessions() as session:  # the caller turns a failure into "unknown"
        counts = backlog(session, now)
        counts["disabled"] = int(session.scalar(select(func.count()).where(
            Subscription.status == "disabled")) or 0)
        counts["circuit_open"] = int(session.scalar(select(func.count()).where(
            Subscription.circuit_open_until > now)) or 0)
    return counts
