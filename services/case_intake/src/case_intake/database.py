"""Sessions and migrations for case intake's own database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker

import civic.db
from civic.db import make_engine

__all__ = ["Base", "make_engine", "metadata_targets", "migrate", "session_factory"]

MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    pass


def metadata_targets() -> list:  # type: ignore[type-arg]
    return [Base.metadata, civic.db.metadata]


def session_factory(engine: Engine) -> sessionmaker:  # type: ignore[type-arg]
    return sessionmaker(engine, expire_on_commit=False)


def migrate(engine: Engine) -> None:
    civic.db.migrate(engine, MIGRATIONS)
