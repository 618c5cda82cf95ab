from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from case_intake.database import Base
from civic.db import UtcDateTime


class StaffSessionRecord(Base):
    """One staff sign-in to phone mode. Only a hash of the session token is kept: the
    token itself lives in the staff member's cookie alone, so a copy of this table
    cannot be replayed. Signing out deletes the row, which ends the session."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the API key signed in with (as api_keys.key_hash): each request checks
    # the key is still live, so revoking the key ends the session too.
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
