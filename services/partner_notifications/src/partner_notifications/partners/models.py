"""Partners: the organisations that deliver help, as ops registered them.

A partner's API key is a row of ``api_keys`` (``civic.db``) named with the partner's
id, so the platform's one authentication path admits it here. Its organisation name and
contact stay in this table and are never published; the directory record carries only
key hashes and coverage.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import UtcDateTime
from partner_notifications.database import Base


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # "partner.foodbank"
    organisation: Mapped[str] = mapped_column(String(120))
    contact: Mapped[str] = mapped_column(String(254))  # often a named person: reads audited
    wards: Mapped[list[str]] = mapped_column(JSON)
    categories: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # One more with each change: the directory record's revision, so readers keep the
    # newest whatever order records reach them in.
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
