from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import BigId, UtcDateTime
from need_scoring.database import Base


class OverrideDecision(Base):
    """A human decision about a case's band. The newest applied row for a case is in
    force, and it carries over to new policy versions: people outrank the policy.

    ``state``: ``pending`` until the worker that owns the case has applied it
    (``overrides/commands.py``), then ``applied``, or ``not-found`` / ``erased`` when the
    case was not there to override; only applied decisions count."""

    __tablename__ = "band_overrides"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    band: Mapped[str] = mapped_column(String(16))
    computed_band: Mapped[str] = mapped_column(String(16))
    policy_version: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(500))
    overridden_by: Mapped[str] = mapped_column(String(64))
    overridden_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16), default="pending")
