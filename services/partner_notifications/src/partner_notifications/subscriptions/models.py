"""Subscriptions: where a partner wants webhooks, for which events and cases, and the
secrets they are signed with."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import UtcDateTime
from partner_notifications.database import Base


class Subscription(Base):
    __tablename__ = "subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    # Filters, each within the partner's coverage when set (never wider).
    wards: Mapped[list[str]] = mapped_column(JSON)
    categories: Mapped[list[str]] = mapped_column(JSON)
    min_band: Mapped[str | None] = mapped_column(String(16))
    rate_limit_per_s: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))  # active, disabled
    # gone (the endpoint answered 410), failing (auto-disabled)
    disabled_reason: Mapped[str | None] = mapped_column(String(16))
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The endpoint's health, as the delivery worker sees it (deliveries/policy.py's
    # CircuitState): since when it has failed without a success, and the circuit.
    failing_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    circuit_failures: Mapped[int] = mapped_column(Integer, default=0)
    circuit_open_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    circuit_opened_times: Mapped[int] = mapped_column(Integer, default=0)
    circuit_trial: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SigningSecret(Base):
    """A ``whsec_`` secret. Standard Webhooks signs with HMAC, so the secret itself is
    kept (a hash could not sign); it is shown to the partner once, when made."""

    __tablename__ = "signing_secrets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True)
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # None while it is the current secret; once rotated out, it still signs until then.
    signs_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
