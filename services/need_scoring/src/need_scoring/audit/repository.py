from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.http.auth import Principal
from need_scoring.audit.models import AuditEntry


def record(session: Session, principal: Principal, action: str, case_id: str,
           fields: list[str], purpose: str) -> None:
    session.add(AuditEntry.entry(principal, action, case_id, fields, purpose))


def for_case(session: Session, case_id: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)
                                .order_by(AuditEntry.id)))
