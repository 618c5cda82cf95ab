"""Need scoring's own database: API keys, staff band overrides and the access log.

The stream's state lives in faust tables; this database holds what people decided and
who looked, which must outlive any replay.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, MetaData
from sqlalchemy.orm import DeclarativeBase, sessionmaker

import civic.db

MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    pass


def metadata_targets() -> list[MetaData]:
    return [Base.metadata, civic.db.metadata]


def session_factory(engine: Engine) -> sessionmaker:  # type: ignore[type-arg]
    return sessionmaker(engine, expire_on_commit=False)


def migrate(engine: Engine) -> None:
    import need_scoring.models  # noqa: F401 - registers the tables

    civic.db.migrate(engine, MIGRATIONS)
