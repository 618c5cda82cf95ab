"""Need scoring's database: API keys, staff band overrides and the audit log.

The stream's state lives in faust tables; this database holds what people decided and
who looked, which must outlive any replay. The engine, sessions and migration runner
come from ``civic.db``; ``models.py`` in each domain package declares the tables.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import DeclarativeBase

import civic.db


class Base(DeclarativeBase):
    pass


def schema() -> civic.db.DatabaseSchema:
    return civic.db.DatabaseSchema(
        service="need_scoring", migrations=Path(__file__).parent / "migrations",
        targets=[Base.metadata, civic.db.metadata])
