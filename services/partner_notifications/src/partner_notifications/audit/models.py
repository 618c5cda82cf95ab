"""Who read a partner's contact details, or changed a partner, and when."""

from __future__ import annotations

from civic.audit import AuditLogColumns
from partner_notifications.database import Base


class AuditEntry(AuditLogColumns, Base):
    """An organisation's contact is often a named person's email or phone, so each read
    is recorded with who, when and why (``case_id`` stays empty here)."""
