"""The read model of need scoring's verdicts: each case's current score, as the staff
queue orders and explains work by it. Need scoring owns the score; this is a copy kept
from ``cases.scored``. Every case has its row from the moment it is filed (written with
the case, unscored), so the queue is one index read in order, unscored cases first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from case_intake.database import Base
from civic.db import UtcDateTime


class CaseScore(Base):
    __tablename__ = "case_scores"
    # the staff queue reads this index in order (scores/ordering.py), so a page at any
    # depth starts with one index seek
    __table_args__ = (Index("ix_case_scores_queue", "queue_key", "opened_at", "case_id"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    queue_key: Mapped[int] = mapped_column(Integer)  # see scores/ordering.py
    # The rest is None until need scoring's first score arrives.
    score: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str | None] = mapped_column(String(8))
    policy_version: Mapped[str | None] = mapped_column(String(40))
    # the factors' reasons, most points first (policy text, never the resident's words)
    reasons: Mapped[list[str] | None] = mapped_column(JSON)
    # every factor as need scoring explained it: {"factor", "points", "reason"}, in the
    # policy's order; the case page shows them (None before migration 0007's first score)
    contributions: Mapped[list[dict[str, object]] | None] = mapped_column(JSON)
    overridden: Mapped[bool] = mapped_column(default=False)  # a staff band decision holds
    overridden_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # that decision's
    scored_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    event_id: Mapped[str | None] = mapped_column(String(64))  # its cases.scored event
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the case's, for the order
