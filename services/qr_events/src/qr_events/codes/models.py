"""Codes and their history. A code is a print run's, never a person's."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import UtcDateTime
from qr_events.database import Base


class Code(Base):
    __tablename__ = "codes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    short_code: Mapped[str] = mapped_column(String(8), unique=True)
    revision: Mapped[int] = mapped_column(Integer)
    destination_kind: Mapped[str] = mapped_column(String(20))
    destination_url: Mapped[str | None] = mapped_column(String(2000))
    scheduled_kind: Mapped[str | None] = mapped_column(String(20))
    scheduled_url: Mapped[str | None] = mapped_column(String(2000))
    switch_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    valid_from: Mapped[datetime | None] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    replacement_code: Mapped[str | None] = mapped_column(String(8))
    touchpoint: Mapped[str] = mapped_column(String(20))
    venue_name: Mapped[str | None] = mapped_column(String(120))
    ward: Mapped[str] = mapped_column(String(9), index=True)
    campaign: Mapped[str] = mapped_column(String(40), index=True)
    print_batch: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CodeChangeRecord(Base):
    """Who changed what, and when: one row per revision of a code."""

    __tablename__ = "code_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("codes.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(30))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(80))  # the API key's name
    actor_role: Mapped[str] = mapped_column(String(20))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
