"""Migration 0003 makes the staff_sessions table on SQLite and PostgreSQL, and takes it
away again on downgrade."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from case_intake.database import schema
from civic.db import ServiceDatabase


def test_0003_creates_and_drops_staff_sessions(database_url: str) -> None:
    database = ServiceDatabase(schema(), database_url)
    try:
        config = Config()
        config.set_main_option("script_location", str(database.schema.migrations))
        with database.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text('CREATE SCHEMA IF NOT EXISTS "case_intake"'))
            config.attributes["connection"] = conn
            command.upgrade(config, "0003")
            columns = {c["name"] for c in inspect(conn).get_columns("staff_sessions")}
            assert columns == {"token_hash", "principal", "key_hash", "created_at",
                               "last_seen_at"}
            command.downgrade(config, "0002")
            assert not inspect(conn).has_table("staff_sessions")
            command.upgrade(config, "0003")
            assert inspect(conn).has_table("staff_sessions")
    finally:
        database.dispose()
