"""Migration 0003 makes the staff_sessions table on SQLite and PostgreSQL, and takes it
away again on downgrade."""

from __future__ import annotations

from sqlalchemy import inspect

from case_intake.database import schema
from civic.db import ServiceDatabase
from civic_testing.migrations import migrate


def test_0003_creates_and_drops_staff_sessions(database_url: str) -> None:
    database = ServiceDatabase(schema(), database_url)
    try:
        with database.engine.begin() as conn:
            migrate(conn, database, "0003")
            columns = {c["name"] for c in inspect(conn).get_columns("staff_sessions")}
            assert columns == {"token_hash", "principal", "key_hash", "created_at",
                               "last_seen_at"}
            migrate(conn, database, "0002", down=True)
            assert not inspect(conn).has_table("staff_sessions")
            migrate(conn, database, "0003")
            assert inspect(conn).has_table("staff_sessions")
    finally:
        database.dispose()
