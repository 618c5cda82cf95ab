from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.http.auth import Principal
from need_scoring.audit.models import AccessLog


def record(session: Session, principal: Principal, action: str, case_id: str) -> None:
    session.add(AccessLog(at=datetime.now(UTC), actor_id=principal.name,
                          actor_role=principal.role.value, action=action, case_id=case_id))


def for_case(session: Session, case_id: str) -> list[AccessLog]:
    return list(session.scalars(select(AccessLog).where(AccessLog.case_id == case_id)
                                .order_by(AccessLog.id)))
