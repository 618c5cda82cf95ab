from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from case_intake.database import Base
from civic.db import UtcDateTime


class IdempotencyRecord(Base):
    """The first answer to a request sent with an Idempotency-Key, replayed to repeats."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    principal: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The case the answer created, so erasing it takes the answer (and its receipt) too.
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
