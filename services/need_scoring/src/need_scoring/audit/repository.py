from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from civic.http.auth import Principal
from need_scoring.audit.models import AuditEntry


def record(session: Session, principal: Principal, action: str, case_id: str,
           fields: list[str], purpose: str) -> None:
    session.add(AuditEntry.entry(principal, action, case_id, fields, purpose))


def for_case(session: Session, case_id: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)
                                .order_by(AuditEntry.id)))


def blank_purposes(session: Session, case_ids: list[str], text: str) -> int:
    """Erasure: why someone read or changed a case is free text, and may describe the
    resident. Who did what, and when, stays."""
    result = session.execute(update(AuditEntry).where(
        AuditEntry.case_id.in_(case_ids), AuditEntry.purpose != text).values(purpose=text))
    return int(result.rowcount)  # type: ignore[attr-defined]
