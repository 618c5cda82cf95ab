"""What a service's database needs before Alembic runs: its PostgreSQL schema, and the
adoption of layouts that earlier versions of the platform left behind (tables in
``public``, one shared ``alembic_version``), so an upgrade never migrates an empty copy
beside a database's real data."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

if TYPE_CHECKING:
    from civic.db import DatabaseSchema

log = logging.getLogger(__name__)


def ensure_schema(conn: Any, name: str) -> None:
    # Asked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the database
    # even when the schema exists, and a role given only its own schema lacks it.
    exists = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :n"),
                          {"n": name}).first()
    if exists is None:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))


def adopt_public_tables(conn: Any, schema: DatabaseSchema) -> None:
    """A PostgreSQL database made before each service had its own schema keeps the
    service's tables in ``public``; move them into the schema once, data and all, rather
    than migrating an empty copy beside them. Only a ``public`` whose recorded revision
    is one of this service's is taken."""
    found = inspect(conn)
    own = set(found.get_table_names(schema=schema.service))
    public = found.get_table_names(schema="public")
    if own & {schema.version_table, "alembic_version"} or "alembic_version" not in public:
        return
    revision = conn.execute(text("SELECT version_num FROM public.alembic_version")).scalar()
    known = {r.revision for r in ScriptDirectory(str(schema.migrations)).walk_revisions()}
    if revision not in known:
        return
    for name in public:
        conn.execute(text(f'ALTER TABLE public."{name}" SET SCHEMA "{schema.service}"'))
    log.warning("moved %d tables of %s from the public schema into its own schema",
                len(public), schema.service)


def adopt_shared_version_table(conn: Any, own_table: str) -> None:
    """Databases made before each service had its own version table kept the revision
    in ``alembic_version``; carry it over once, so they are not migrated again."""
    names = set(inspect(conn).get_table_names())
    if own_table in names or "alembic_version" not in names:
        return
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    conn.execute(text(f"CREATE TABLE {own_table} (version_num VARCHAR(32) NOT NULL "
                      f"PRIMARY KEY)"))
    if revision is not None:
        conn.execute(text(f"INSERT INTO {own_table} (version_num) VALUES (:v)"),
                     {"v": revision})
    conn.execute(text("DROP TABLE alembic_version"))
