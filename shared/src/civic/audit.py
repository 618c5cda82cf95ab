"""The audit log's shape, the same in every service: who read or changed a resident's
data, when, which fields and why. Rows are kept after erasure: they name staff and
partners, never the resident, and they are how a resident's subject access request
learns who looked."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Self

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import BigId, UtcDateTime
from civic.http.auth import Principal


class AuditLogColumns:
    """Mix into a service's own declarative base: ``class AuditEntry(AuditLogColumns,
    Base)``. Each service keeps its log in its own database."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    fields: Mapped[list[str]] = mapped_column(JSON)
    # Why the data was read, as the reader said (up to the 500 characters an erasure
    # reason may have); blanked when the case is erased, since it is free text.
    purpose: Mapped[str] = mapped_column(String(500))

    @classmethod
    def entry(cls, principal: Principal, action: str, case_id: str | None,
              fields: list[str], purpose: str) -> Self:
        # the declarative base a service mixes this into supplies the keyword constructor
        return cls(at=datetime.now(UTC), actor_role=principal.role.value,  # type: ignore[call-arg]
                   actor_id=principal.name, action=action, case_id=case_id,
                   fields=fields, purpose=purpose)
