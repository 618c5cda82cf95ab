"""Two services pointed at one PostgreSQL database by mistake must not clash: each
keeps its tables in a schema of its own and its Alembic revisions in its own version
table. Seen to fail (``relation "api_keys" already exists``) with the per-service schema
taken out of civic.db.make_engine."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect

from case_intake.database import schema as case_intake_schema
from civic.db import ServiceDatabase
from civic.http.auth import ApiKeyStore, Role
from need_scoring.database import schema as need_scoring_schema


@pytest.mark.postgres
def test_two_services_migrate_into_one_database_without_clashing(postgres_url: str) -> None:
    intake = ServiceDatabase(case_intake_schema(), postgres_url)
    scoring = ServiceDatabase(need_scoring_schema(), postgres_url)
    try:
        intake.migrate()
        scoring.migrate()
        intake.migrate()  # again: a restart finds both at head and changes nothing
        scoring.migrate()
        ApiKeyStore(intake.engine).create("staff.intake-only", Role.STAFF, "civic_k_intake")
        assert ApiKeyStore(scoring.engine).lookup("civic_k_intake") is None
        assert ApiKeyStore(intake.engine).lookup("civic_k_intake") is not None

        admin = create_engine(postgres_url)
        try:
            found = inspect(admin)
            intake_tables = set(found.get_table_names(schema="case_intake"))
            scoring_tables = set(found.get_table_names(schema="need_scoring"))
            public_tables = set(found.get_table_names(schema="public"))
        finally:
            admin.dispose()
        assert {"cases", "outbox", "api_keys", "alembic_version_case_intake"} <= intake_tables
        assert {"band_overrides", "audit_log", "api_keys",
                "alembic_version_need_scoring"} <= scoring_tables
        assert "outbox" not in scoring_tables  # need scoring publishes without an outbox
        assert public_tables == set()
    finally:
        intake.dispose()
        scoring.dispose()


def test_a_database_from_before_per_service_version_tables_is_not_migrated_again(
        tmp_path) -> None:
    """An existing SQLite file kept its revision in ``alembic_version``; it is carried
    over, not replayed (replaying 0001 would fail on tables that exist)."""
    url = f"sqlite:///{tmp_path}/old.db"
    database = ServiceDatabase(case_intake_schema(), url)
    database.migrate()
    with database.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE alembic_version_case_intake "
                             "RENAME TO alembic_version")
    database.migrate()
    names = set(inspect(database.engine).get_table_names())
    assert "alembic_version_case_intake" in names and "alembic_version" not in names
    database.dispose()


@pytest.mark.postgres
def test_tables_made_in_the_public_schema_move_into_the_service_schema_with_their_rows(
        postgres_url: str) -> None:
    """Databases made before schemas per service kept everything in ``public``. Seen to
    fail (an empty copy migrated beside the old tables, the key lost) without the move."""
    database = ServiceDatabase(need_scoring_schema(), postgres_url)
    database.migrate()
    ApiKeyStore(database.engine).create("ops.kept", Role.OPS, "civic_k_kept")
    with database.engine.begin() as conn:  # back to the layout of before
        for name in inspect(conn).get_table_names(schema="need_scoring"):
            conn.exec_driver_sql(f'ALTER TABLE need_scoring."{name}" SET SCHEMA public')
        conn.exec_driver_sql("ALTER TABLE public.alembic_version_need_scoring "
                             "RENAME TO alembic_version")
        conn.exec_driver_sql("DROP SCHEMA need_scoring")
    database.dispose()

    again = ServiceDatabase(need_scoring_schema(), postgres_url)
    try:
        again.migrate()
        assert ApiKeyStore(again.engine).lookup("civic_k_kept") is not None
        found = inspect(again.engine)
        assert found.get_table_names(schema="public") == []
        assert "alembic_version_need_scoring" in found.get_table_names(schema="need_scoring")
    finally:
        again.dispose()
