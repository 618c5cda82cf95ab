"""Every table need scoring owns, so Alembic sees them all."""

from need_scoring.audit.models import AccessLog
from need_scoring.overrides.models import BandOverrideRow

__all__ = ["AccessLog", "BandOverrideRow"]
