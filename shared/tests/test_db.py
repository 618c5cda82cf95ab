"""civic.db's engine on real databases: SQLite runs in WAL mode with foreign keys on, and
a database error never quotes the values a statement was given (a resident's name or
phone would otherwise reach the logs)."""

from __future__ import annotations

import traceback

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, insert, text
from sqlalchemy.exc import IntegrityError

from civic.db import make_engine

KEY = "Zebedee-07700900461"  # a value no message has any reason to contain
NAME = "Alex Quillfeather"

table_metadata = MetaData()
people = Table("people", table_metadata,
               Column("id", Integer, primary_key=True),
               Column("key", String(40), nullable=False, unique=True),
               Column("name", String(80)))
visits = Table("visits", table_metadata,
               Column("id", Integer, primary_key=True),
               Column("person_id", Integer, ForeignKey("people.id"), nullable=False))


def test_sqlite_engine_uses_wal_and_enforces_foreign_keys(tmp_path):
    """Mutation seen failing: ``PRAGMA foreign_keys=OFF`` in make_engine."""
    engine = make_engine(f"sqlite:///{tmp_path}/not/yet/made/civic.db")
    try:
        table_metadata.create_all(engine)
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert(visits).values(id=1, person_id=999))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM visits")).scalar() == 0
    finally:
        engine.dispose()
    assert (tmp_path / "not/yet/made/civic.db").exists()


def _duplicate_key_error(url: str) -> IntegrityError:
    engine = make_engine(url)
    try:
        table_metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(insert(people).values(key=KEY, name="first"))
        with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
            conn.execute(insert(people).values(key=KEY, name=NAME))
        return caught.value
    finally:
        engine.dispose()


def test_a_database_error_does_not_quote_the_statement_parameters(database_url):
    """Mutations seen failing: ``hide_parameters=False`` in make_engine, for SQLite and
    for PostgreSQL in turn."""
    error = _duplicate_key_error(database_url)
    message = str(error)
    assert "people" in message  # the error still says what went wrong
    assert "parameters hidden" in message
    assert NAME not in message
    assert NAME not in repr(error)


def test_a_duplicate_key_error_does_not_quote_the_key(database_url):
    """PostgreSQL's own DETAIL ("Key (key)=(...) already exists") once reached the
    message through psycopg, where hide_parameters cannot hide it; seen to fail with
    civic.db's handle_error listener taken out, and (in the traceback) while the
    driver's chained error still held it."""
    error = _duplicate_key_error(database_url)
    assert KEY not in str(error) and KEY not in repr(error)
    # nor in the traceback a log.exception prints, which includes the driver's error
    assert KEY not in "".join(traceback.format_exception(error))
    assert "people" in str(error) or "duplicate" in str(error) or "UNIQUE" in str(error)
