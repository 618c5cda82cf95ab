"""The audit log: every read or change of personal data, kept after erasure."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from case_intake.audit.models import AuditEntry
from civic.http.auth import Principal


def record(session: Session, principal: Principal, action: str, case_id: str | None,
           fields: list[str], purpose: str) -> None:
    session.add(AuditEntry.entry(principal, action, case_id, fields, purpose))


def for_case(session: Session, case_id: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)
                                .order_by(AuditEntry.id)))


def blank_purposes(session: Session, case_id: str, text: str) -> None:
    """Erasure: why staff read the case was free text, and may describe the resident.
    Who read what and when stays."""
    session.execute(update(AuditEntry).where(AuditEntry.case_id == case_id)
                    .values(purpose=text))
