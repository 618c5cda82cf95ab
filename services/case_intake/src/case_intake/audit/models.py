from __future__ import annotations

from case_intake.database import Base
from civic.audit import AuditLogColumns


class AuditEntry(AuditLogColumns, Base):
    """Who read or changed a resident's personal data, when and why."""
