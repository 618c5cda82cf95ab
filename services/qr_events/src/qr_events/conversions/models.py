"""Cases filed after a scan: joined from cases.submitted by the code in `source`."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import UtcDateTime
from qr_events.database import Base


class Conversion(Base):
    __tablename__ = "conversions"

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)  # once per case
    code_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    day: Mapped[date] = mapped_column(Date)
