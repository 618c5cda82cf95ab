"""Tables every service with a database carries, whatever its own schema.

They live in their own ``MetaData`` so each service's Alembic migrations create them
alongside its own tables: each service still owns its database.
"""

from __future__ import annotations

import threading
import weakref
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    event,
)

metadata = MetaData()

# SQLite only autoincrements an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("event_type", String(80), nullable=False),
    Column("topic", String(120), nullable=False),
    Column("key", LargeBinary, nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(500)),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)


_sqlite_locks: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


def write_lock(engine: Engine) -> AbstractContextManager[object]:
    """Serialise this process's writers on SQLite.

    SQLite allows one writer at a time and makes the others poll with growing sleeps, so
    under concurrent requests most time goes to sleeping. Queueing on a lock instead
    keeps the database busy and latency even. Other databases need no such lock.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _locks_guard:
        lock = _sqlite_locks.get(engine)
        if lock is None:
            lock = _sqlite_locks[engine] = threading.Lock()
    return lock


def make_engine(url: str) -> Engine:
    """An engine for a service's own database: SQLite (a file under var/) or PostgreSQL."""
    # hide_parameters: database errors would otherwise quote the row (a resident's name,
    # phone, words) into exception messages, and from there into logs.
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # WAL lets readers run while one request writes; foreign keys are off by default
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10,
                         hide_parameters=True)


def migrate(engine: Engine, migrations: Path) -> None:
    """Bring a service's schema up to date (Alembic head) from its migrations folder."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def run_alembic_env(targets: list[MetaData], database_url: str) -> None:
    """The body of every service's migrations/env.py: migrate on the connection the
    service hands over (see migrate), or on the service's database URL when Alembic
    runs from the command line."""
    from alembic import context

    def run(conn: Any) -> None:
        context.configure(connection=conn, target_metadata=targets,
                          render_as_batch=conn.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()

    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    with create_engine(database_url).connect() as conn:
        run(conn)
        conn.commit()
