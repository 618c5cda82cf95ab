"""Scans: raw records for a short while, daily aggregates for good.

No column holds an IP address, a user agent or a cookie. ``device_hash`` is an HMAC of
the connection's address and agent under the day's salt (``DailySalt``); it exists only
to count a device's repeat scans within the hour, and is cleared, with the salt itself,
once its day is over.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import UtcDateTime
from qr_events.database import Base


class Scan(Base):
    __tablename__ = "scans"
    # A batch looks up its devices' recent scans of its codes: by both, or one busy
    # address (a library's connection) would make every batch read all of its scans.
    __table_args__ = (Index("ix_scans_device_code", "device_hash", "code_id"),
                      Index("ix_scans_device_short_code", "device_hash", "short_code"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    code_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    short_code: Mapped[str | None] = mapped_column(String(8))
    scanned_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    via: Mapped[str] = mapped_column(String(10))
    device_class: Mapped[str] = mapped_column(String(10))
    repeat: Mapped[bool] = mapped_column(Boolean)
    device_hash: Mapped[str | None] = mapped_column(String(64))


class ScanDay(Base):
    """A day's scans of one code, by outcome, via and device class."""

    __tablename__ = "scan_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    code_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(20), primary_key=True)
    via: Mapped[str] = mapped_column(String(10), primary_key=True)
    device_class: Mapped[str] = mapped_column(String(10), primary_key=True)
    scans: Mapped[int] = mapped_column(Integer)  # repeats excluded
    repeats: Mapped[int] = mapped_column(Integer)


class OrphanScanDay(Base):
    """A day's scans of codes this service never made: typos, or fake stickers."""

    __tablename__ = "orphan_scan_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    via: Mapped[str] = mapped_column(String(10), primary_key=True)
    device_class: Mapped[str] = mapped_column(String(10), primary_key=True)
    scans: Mapped[int] = mapped_column(Integer)


class DailySalt(Base):
    """The day's random salt, shared by every worker and deleted when the day ends."""

    __tablename__ = "daily_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
