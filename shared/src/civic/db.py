"""Every service's database setup: one engine, sessions and migrations per service.

Each service owns its database. On PostgreSQL its tables live in a schema named after
the service, and on every backend its Alembic revisions are recorded in a version table
of its own, so two services pointed at one database by mistake cannot touch each
other's tables or migrations. Tables more than one service carries (API keys, the
outbox) are defined once in ``civic`` and created by each service's own migrations.
"""

from __future__ import annotations

import logging
import threading
import weakref
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
    text,
)
from sqlalchemy.orm import Session, sessionmaker

from civic.migrations import adopt_public_tables, adopt_shared_version_table, ensure_schema

log = logging.getLogger(__name__)

# SQLite only autoincrements an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in UTC. Stored with its time zone where the database keeps one; read
    back aware on every backend (SQLite would hand back naive datetimes). A naive value
    written is taken to be UTC already, which is what every caller here means."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None,
                             dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Tables every service with a database carries (see civic.http.auth).
metadata = MetaData()

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    # A partner key's coverage: JSON lists of ward codes and categories, set by ops. NULL
    # on a partner key means it covers nothing; other roles have none.
    Column("coverage_wards", Text),
    Column("coverage_categories", Text),
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


def make_engine(url: str, schema: str | None = None) -> Engine:
    """An engine for a service's own database: SQLite (a file under var/) or PostgreSQL,
    where ``schema`` is the service's own schema."""
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
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10,
                           hide_parameters=True, connect_args=connect_args)
    event.listen(engine, "handle_error", _without_server_detail)
    return engine


def _without_server_detail(context: Any) -> BaseException | None:
    """PostgreSQL's DETAIL quotes row values ("Key (phone)=(07700…) already exists",
    "Failing row contains (…)"), which hide_parameters cannot hide. The driver's own
    error loses it too, since SQLAlchemy chains it as the cause that a logged traceback
    prints; the same error type is raised, with the primary message and the constraint."""
    original, raised = context.original_exception, context.sqlalchemy_exception
    diag = getattr(original, "diag", None)
    if (diag is None or not diag.message_detail or raised is None
            or context.is_disconnect):
        return None
    constraint = f" (constraint {diag.constraint_name})" if diag.constraint_name else ""
    message = (f"{diag.message_primary}{constraint}; the server's detail is withheld: "
               "it may quote a row")
    original.args = (message,)
    bare = type(original)(message)
    replacement: BaseException = type(raised)(
        raised.statement, raised.params, bare, hide_parameters=True, code=raised.code)
    return replacement


@dataclass
class DatabaseSchema:
    """What a service declares about its database; civic does the rest."""

    service: str  # also the PostgreSQL schema and the Alembic version table's suffix
    migrations: Path
    targets: list[MetaData] = field(default_factory=list)

    @property
    def version_table(self) -> str:
        return f"alembic_version_{self.service}"


class ServiceDatabase:
    """A service's engine and sessions. Who opens and commits a transaction: the
    service layer (``with db.sessions.begin()``), never an endpoint or a repository."""

    def __init__(self, schema: DatabaseSchema, url: str) -> None:
        self.schema = schema
        self.url = url
        self.engine = make_engine(url, schema.service)
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Bring the schema up to date (Alembic head) from the service's migrations."""
        config = Config()
        config.set_main_option("script_location", str(self.schema.migrations))
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Replicas of a service start together and each migrates: one at a time,
                # so the later ones find the schema at head and change nothing. The
                # lock is the transaction's, so a migrator that dies releases it.
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
                             {"name": f"civic-migrate:{self.schema.service}"})
                ensure_schema(conn, self.schema.service)
                adopt_public_tables(conn, self.schema)
            adopt_shared_version_table(conn, self.schema.version_table)
            config.attributes["connection"] = conn
            config.attributes["database"] = self
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self.engine.dispose()


def run_alembic_env(schema: DatabaseSchema, database_url: str) -> None:
    """The body of every service's migrations/env.py: migrate on the connection the
    service hands over (ServiceDatabase.migrate), or on the service's database URL when
    Alembic runs from the command line."""
    from alembic import context

    def run(conn: Any) -> None:
        context.configure(connection=conn, target_metadata=schema.targets,
                          version_table=schema.version_table,
                          render_as_batch=conn.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()

    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    with make_engine(database_url, schema.service).connect() as conn:
        if conn.dialect.name == "postgresql":
            ensure_schema(conn, schema.service)
        run(conn)
        conn.commit()
