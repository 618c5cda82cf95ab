"""Deliveries: one row per event and subscription (unique, so matching an event twice
adds nothing), its attempts, and what this service knows about each open case.

A delivery's ``id`` is its ``webhook-id`` on every attempt and every replay, so a
partner can deduplicate. Its ``body`` is stored as sent, so every attempt carries the
same bytes. The lease (``leased_until``, ``leased_by``) is how several workers share
the queue: a worker sends only rows it leased (the lease outlasts any attempt), and
records the outcome only if nobody has taken the row over since, so two workers never
send one message at once, and a worker killed mid-attempt leaves a row another picks up
when the lease runs out.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import BigId, UtcDateTime
from partner_notifications.database import Base


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "subscription_id", name="uq_deliveries_event_subscription"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(80))  # the source event, or a derived id
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[str] = mapped_column(String(64))
    webhook_type: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    body: Mapped[str] = mapped_column(Text)
    # pending, delivered, dead (attempts used up: a dead letter)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    leased_by: Mapped[str | None] = mapped_column(String(64))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.id.hex}"


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(BigInteger)
    response_body: Mapped[str] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))  # succeeded, failed, dead_lettered


class KnownCase(Base):
    """What partners may be told about an open case: area, categories, band and the
    reasons' summary; never a person. Deleted when the case is erased."""

    __tablename__ = "known_cases"

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    ward: Mapped[str | None] = mapped_column(String(9))
    categories: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    band: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[int | None] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    # The cases.scored event behind band and reasons: the source of case.scored's id.
    scored_event_id: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
