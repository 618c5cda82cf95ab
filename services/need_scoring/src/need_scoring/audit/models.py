from __future__ import annotations

from civic.audit import AuditLogColumns
from need_scoring.database import Base


class AuditEntry(AuditLogColumns, Base):
    """One row per read or change of a case's score. Scores describe a resident's
    household, so every look is recorded with who, when and why."""
