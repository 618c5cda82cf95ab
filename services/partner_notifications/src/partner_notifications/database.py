"""Partner notifications' database: its tables' base and what its migrations cover.

The engine, sessions and migration runner come from ``civic.db``; ``models.py`` in each
domain package declares the tables on ``Base``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import DeclarativeBase

import civic.db
import civic.outbox


class Base(DeclarativeBase):
    pass


def schema() -> civic.db.DatabaseSchema:
    return civic.db.DatabaseSchema(
        service="partner_notifications", migrations=Path(__file__).parent / "migrations",
        targets=[Base.metadata, civic.db.metadata, civic.outbox.outbox_metadata])
