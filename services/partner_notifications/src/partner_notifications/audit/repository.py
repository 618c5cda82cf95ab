from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.http.auth import Principal
from partner_notifications.audit.models import AuditEntry


def record(session: Session, principal: Principal, action: str, fields: list[str],
           purpose: str) -> None:
    session.add(AuditEntry.entry(principal, action, None, fields, purpose))


def latest(session: Session, limit: int = 100) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
