from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from case_intake.database import Base
from civic.db import UtcDateTime


class IdempotencyRecord(Base):
    """The first answer to a request sent with an Idempotency-Key, replayed to repeats
    until it expires. It holds no key, no body and no readable answer: see ``sealing``."""

    __tablename__ = "idempotency_keys"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_mac: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    sealed_response: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # The case the answer created, so erasing it takes the answer (and its receipt) too.
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
