"""Step a service's database to one Alembic revision, for tests of a single migration."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from civic.db import ServiceDatabase


def migrate(conn: Connection, database: ServiceDatabase, revision: str, *,
            down: bool = False) -> None:
    """Upgrade (or downgrade) on this connection, inside its transaction, so a test can
    put rows of the old shape in before the next step."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{database.schema.service}"'))
    config = Config()
    config.set_main_option("script_location", str(database.schema.migrations))
    config.attributes["connection"] = conn
    (command.downgrade if down else command.upgrade)(config, revision)
