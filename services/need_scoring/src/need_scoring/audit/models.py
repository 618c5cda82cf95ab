from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import BigId
from need_scoring.database import Base


class AccessLog(Base):
    """One row per read or change of a case's score. Scores describe a resident's
    household, so every look is recorded with who, when and why."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[str] = mapped_column(String(36), index=True)
