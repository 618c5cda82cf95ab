"""A partner's own subscriptions: made, changed, rotated, pinged and removed only by
that partner, with filters never wider than its coverage."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from civic.errors import InvalidInput, NotAllowed, NotFound
from civic.http.auth import Principal
from civic.http.coverage import Coverage
from partner_notifications.deliveries.payloads import ping_body
from partner_notifications.sending.sender import WebhookSender
from partner_notifications.sending.signing import new_secret, signed_headers
from partner_notifications.subscriptions import repository
from partner_notifications.subscriptions.models import SigningSecret, Subscription
from partner_notifications.subscriptions.schemas import (
    Filters,
    PingOut,
    SecretRotatedOut,
    SubscriptionChangeIn,
    SubscriptionCreatedOut,
    SubscriptionIn,
    SubscriptionOut,
)
from partner_notifications.subscriptions.urls import Address, check_url


class SubscriptionService:
    def __init__(self, sessions: sessionmaker[Session], sender: WebhookSender, *,
                 dev_allowed: Collection[Address], secret_overlap: timedelta,
                 max_previous_secrets: int,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.sessions = sessions
        self.sender = sender
        self.dev_allowed = dev_allowed
        self.secret_overlap = secret_overlap
        self.max_previous_secrets = max_previous_secrets
        self.clock = clock

    def create(self, body: SubscriptionIn, partner: Principal, *,
               secret: str | None = None) -> SubscriptionCreatedOut:
        """``secret`` only for demo data, whose receiver must know it in advance."""
        url = check_url(body.url, self.dev_allowed)
        filters = _within_coverage(body.filters, partner)
        now, secret = self.clock(), secret or new_secret()
        row = Subscription(id=uuid.uuid4(), partner_id=partner.name, url=url,
                           event_types=sorted({t.value for t in body.event_types}),
                           wards=sorted(set(filters.wards)),
                           categories=sorted({c.value for c in filters.categories}),
                           min_band=filters.min_band.value if filters.min_band else None,
                           rate_limit_per_s=body.rate_limit_per_s, status="active",
                           created_at=now, updated_at=now)
        with self.sessions.begin() as session:
            session.add(row)
            session.flush()
            session.add(SigningSecret(subscription_id=row.id, secret=secret, created_at=now))
        return SubscriptionCreatedOut(**SubscriptionOut.of(row).model_dump(), secret=secret)

    def every(self, partner: Principal) -> list[SubscriptionOut]:
        with self.sessions() as session:
            return [SubscriptionOut.of(r) for r in repository.of_partner(session, partner.name)]

    def get(self, subscription_id: uuid.UUID, partner: Principal) -> SubscriptionOut:
        with self.sessions() as session:
            return SubscriptionOut.of(own_subscription(session, subscription_id, partner))

    def change(self, subscription_id: uuid.UUID, body: SubscriptionChangeIn,
               partner: Principal) -> SubscriptionOut:
        given = body.model_fields_set
        if not given:
            raise InvalidInput("Nothing to change", "give at least one field to change",
                               slug="nothing-to-change")
        with self.sessions.begin() as session:
            row = own_subscription(session, subscription_id, partner)
            if body.url is not None:
                row.url = check_url(body.url, self.dev_allowed)
            if body.event_types is not None:
                row.event_types = sorted({t.value for t in body.event_types})
            if body.filters is not None:
                filters = _within_coverage(body.filters, partner)
                row.wards = sorted(set(filters.wards))
                row.categories = sorted({c.value for c in filters.categories})
                row.min_band = filters.min_band.value if filters.min_band else None
            if "rate_limit_per_s" in given:
                row.rate_limit_per_s = body.rate_limit_per_s
            row.updated_at = self.clock()
            return SubscriptionOut.of(row)

    def enable(self, subscription_id: uuid.UUID, partner: Principal) -> SubscriptionOut:
        """Back on after a 410 or an auto-disable, with a clean bill of health (a partner
        re-enables once it has fixed the endpoint), and what was waiting is due now."""
        now = self.clock()
        with self.sessions.begin() as session:
            row = own_subscription(session, subscription_id, partner)
            row.status, row.disabled_reason, row.disabled_at = "active", None, None
            row.failing_since, row.circuit_failures, row.circuit_open_until = None, 0, None
            row.circuit_opened_times, row.circuit_trial = 0, False
            row.updated_at = now
            repository.bring_forward(session, row.id, now)
            return SubscriptionOut.of(row)

    def remove(self, subscription_id: uuid.UUID, partner: Principal) -> None:
        with self.sessions.begin() as session:
            session.delete(own_subscription(session, subscription_id, partner))

    def rotate_secret(self, subscription_id: uuid.UUID, partner: Principal) -> SecretRotatedOut:
        """A new current secret; the old one keeps signing for the overlap, and only the
        newest few old ones do (the rest stop now), so a request's signatures stay few."""
        now, secret = self.clock(), new_secret()
        until = now + self.secret_overlap
        with self.sessions.begin() as session:
            row = own_subscription(session, subscription_id, partner)
            signing = repository.signing_secrets(session, row.id, now)
            for old in signing:
                if old.signs_until is None:
                    old.signs_until = until
            for stale in signing[self.max_previous_secrets:]:
                stale.signs_until = now
            session.add(SigningSecret(subscription_id=row.id, secret=secret, created_at=now))
        return SecretRotatedOut(secret=secret, previous_signs_until=until if signing else None)

    async def ping(self, subscription_id: uuid.UUID, partner: Principal) -> PingOut:
        """Send a signed ``ping`` now, outside any queue, and say how the endpoint took it."""
        url, secrets = await anyio.to_thread.run_sync(self._target, subscription_id, partner)
        now = self.clock()
        message_id = f"ping_{uuid.uuid4().hex}"
        body = ping_body(subscription_id, now)
        result = await self.sender.send(url, body, signed_headers(message_id, body, secrets, now))
        return PingOut(delivered=result.delivered, status_code=result.status_code,
                       latency_ms=result.latency_ms, body=result.body, error=result.error)

    def _target(self, subscription_id: uuid.UUID, partner: Principal) -> tuple[str, list[str]]:
        with self.sessions() as session:
            row = own_subscription(session, subscription_id, partner)
            return row.url, [s.secret for s in repository.signing_secrets(
                session, row.id, self.clock())]


def own_subscription(session: Session, subscription_id: uuid.UUID,
                     partner: Principal) -> Subscription:
    """The partner's own subscription; another's is as if it did not exist."""
    row = repository.get(session, subscription_id, partner.name)
    if row is None:
        raise NotFound("No such subscription", f"you have no subscription {subscription_id}",
                       slug="subscription-not-found")
    return row


def _within_coverage(filters: Filters, partner: Principal) -> Filters:
    coverage: Coverage | None = partner.coverage
    if coverage is None:
        raise NotAllowed("No coverage set", "your key covers no ward or category yet; ask "
                         "the council's ops team to set your coverage", slug="no-coverage")
    wider = sorted(set(filters.wards) - coverage.wards)
    wider += sorted({c.value for c in filters.categories} - coverage.categories)
    if wider:
        raise InvalidInput("Filters wider than your coverage",
                           f"filters: outside your coverage: {', '.join(wider)}",
                           slug="filters-wider-than-coverage")
    return filters
