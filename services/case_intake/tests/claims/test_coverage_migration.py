"""Migration 0004 gives every API key a coverage that is empty until ops set it, on a
database that already holds keys, and goes back down cleanly. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from case_intake.database import schema
from civic.db import ServiceDatabase
from civic.http.auth import ApiKeyStore, Coverage, Principal, Role, hash_key
from civic_testing.migrations import migrate


def _upgrade(database: ServiceDatabase, revision: str, *, down: bool = False) -> None:
    with database.engine.begin() as conn:
        migrate(conn, database, revision, down=down)


def _columns(database: ServiceDatabase) -> set[str]:
    return {c["name"] for c in inspect(database.engine).get_columns("api_keys")}


def test_a_key_kept_before_0004_covers_nothing_until_ops_set_it(database_url: str) -> None:
    database = ServiceDatabase(schema(), database_url)
    try:
        _upgrade(database, "0003")
        with database.engine.begin() as conn:
            conn.execute(text("INSERT INTO api_keys (name, role, key_hash, created_at) "
                              "VALUES ('partner.old', 'partner', :h, :at)"),
                         {"h": hash_key("civic_old-partner-key"), "at": datetime.now(UTC)})
        database.migrate()
        assert {"coverage_wards", "coverage_categories"} <= _columns(database)
        store = ApiKeyStore(database.engine)
        assert store.lookup("civic_old-partner-key") == Principal("partner.old", Role.PARTNER)
        store.set_coverage("partner.old", Coverage(frozenset({"E05000128"}),
                                                   frozenset({"food"})))
        assert store.lookup("civic_old-partner-key").coverage is not None  # type: ignore[union-attr]

        _upgrade(database, "0003", down=True)
        assert not {"coverage_wards", "coverage_categories"} & _columns(database)
        with database.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM api_keys")).scalar() == "partner.old"
    finally:
        database.dispose()
