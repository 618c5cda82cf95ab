"""The read model of need scoring's verdicts: each case's current score, as the staff
queue orders and explains work by it. Need scoring owns the score; this is a copy kept
from ``cases.scored``, never written by anything else."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from case_intake.database import Base
from civic.db import UtcDateTime


class CaseScore(Base):
    __tablename__ = "case_scores"
    # the staff queue reads this index in order: most urgent band, then highest score,
    # then oldest case, every key ascending (see queue_key), so a page at any depth
    # starts with one index seek
    __table_args__ = (Index("ix_case_scores_queue", "queue_key", "opened_at", "case_id"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(8))
    # the band and score as one ascending number, the most urgent band's highest
    # score first: (3 - band rank) * 1000 + (100 - score)
    queue_key: Mapped[int] = mapped_column(Integer)
    policy_version: Mapped[str] = mapped_column(String(40))
    # the factors' reasons, most points first (policy text, never the resident's words)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    overridden: Mapped[bool]  # a staff band decision is in force
    scored_at: Mapped[datetime] = mapped_column(UtcDateTime)
    event_id: Mapped[str] = mapped_column(String(64))  # the cases.scored event it came from
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the case's, for the order
