"""Whose turn it is to relay an outbox on SQLite.

SQLite has no row locks, so two relays on one database file (the in-process relay and a
``relay`` process, say) would read the same rows: each publishes them, and one can
publish a case's later event while the other still holds its earlier one. So on SQLite
one relay at a time publishes: it holds a lock file beside the database from reading a
batch to committing its deletion. PostgreSQL needs no turn: its relays take different
cases (``civic.outbox.OutboxRelay._take``).
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from sqlalchemy import Engine


class RelayTurn:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._own = threading.Lock()  # the one relay, should two threads call it
        self._file: BinaryIO | None = None

    @contextmanager
    def __call__(self) -> Iterator[bool]:
        """Yield True when this relay may publish now; False when another relay is
        publishing, which the caller takes as nothing to do this round."""
        if self._engine.dialect.name != "sqlite":
            yield True
            return
        if not self._own.acquire(blocking=False):
            yield False
            return
        try:
            lock = self._lock_file()
            if lock is None:  # an in-memory database is this process's alone
                yield True
                return
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        finally:
            self._own.release()

    def _lock_file(self) -> BinaryIO | None:
        database = self._engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        if self._file is None:
            # flock, not fcntl's byte-range locks, which are SQLite's own; and flock
            # locks belong to an open file, so two relays in one process exclude each
            # other as two processes do.
            self._file = open(f"{database}-relay.lock", "ab")  # noqa: SIM115
        return self._file
