"""Every query the figures need: daily aggregates and conversions, never raw scans
(which expire)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qr_events.codes.models import Code
from qr_events.conversions.models import Conversion
from qr_events.scans.models import ScanDay


def codes_in_campaign(session: Session, campaign: str) -> Sequence[Code]:
    return session.scalars(select(Code).where(Code.campaign == campaign)).all()


def scan_days(session: Session, code_ids: Sequence[uuid.UUID], first: date,
              last: date) -> Sequence[ScanDay]:
    return session.scalars(select(ScanDay).where(
        ScanDay.code_id.in_(code_ids), ScanDay.day >= first, ScanDay.day <= last)).all()


def conversions_by_day(session: Session, code_ids: Sequence[uuid.UUID], first: date,
                       last: date) -> Sequence[Any]:
    """(code_id, day, cases)."""
    return session.execute(
        select(Conversion.code_id, Conversion.day, func.count())
        .where(Conversion.code_id.in_(code_ids), Conversion.day >= first,
               Conversion.day <= last)
        .group_by(Conversion.code_id, Conversion.day)).all()
