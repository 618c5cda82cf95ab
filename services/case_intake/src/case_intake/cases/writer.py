"""Group commit for new cases.

Request threads prepare each case completely (validation, placement, pseudonyms, rows);
one writer thread then commits every case waiting at that moment in a single
transaction, with one insert per table for the whole batch and one query for earlier
contacts. Under load that turns hundreds of small SQLite transactions a second into a
few dozen larger ones; a lone request waits only for its own commit. A batch that fails
is retried case by case, so one bad case never takes others down with it.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from case_intake import IDENTITY
from case_intake.cases import repository as cases
from case_intake.idempotency import repository as idempotency
from case_intake.idempotency.sealing import IdempotentRequest
from case_intake.scores import repository as scores
from civic import outbox
from civic.contracts.cases import CaseSubmitted
from civic.db import write_lock

log = logging.getLogger(__name__)



@dataclass
class NewCase:
    """Everything needed to store one case, ready before the transaction starts."""

    case: dict[str, Any]
    personal: dict[str, Any]
    keys: list[str]
    first_status: dict[str, Any]
    event: dict[str, Any]  # CaseSubmitted fields but previous_contacts_12m
    response: dict[str, Any]
    idempotency: IdempotentRequest | None = None
    result: tuple[int, dict[str, Any]] | None = None
    future: Future[tuple[int, dict[str, Any]]] = field(default_factory=Future)

    @property
    def case_id(self) -> str:
        return str(self.case["id"])


class CaseWriter:
    def __init__(self, engine: Engine, lookback: timedelta, max_batch: int = 256) -> None:
        self._engine = engine
        self._lookback = lookback
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[NewCase | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._lifecycle:
            if not self.running:
                self._thread = threading.Thread(target=self._run, name="case-writer",
                                                 daemon=True)
                self._thread.start()

    def submit(self, new_case: NewCase) -> Future[tuple[int, dict[str, Any]]]:
        """Queue the case; the future resolves once it is committed (or replayed)."""
        if not self.running:
            self.start()  # first use, or after an app shutdown in the same process
        self._queue.put(new_case)
        return new_case.future

    def write(self, new_case: NewCase, timeout: float = 30.0) -> tuple[int, dict[str, Any]]:
        """Store the case (or replay an earlier answer); blocks until it is committed."""
        return self.submit(new_case).result(timeout)

    def stop(self) -> None:
        with self._lifecycle:
            thread, self._thread = self._thread, None
            if thread is not None and thread.is_alive():
                self._queue.put(None)
                thread.join(10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(more)
            try:
                self._commit(batch)
            except BaseException as exc:  # the thread must outlive any one batch
                log.exception("case writer: batch failed unexpectedly")
                for one in batch:
                    if not one.future.done():
                        one.future.set_exception(exc)

    def _commit(self, batch: list[NewCase]) -> None:
        try:
            self._write(batch)
        except Exception as exc:
            if len(batch) == 1:
                if not batch[0].future.done():
                    batch[0].future.set_exception(exc)
                return
            log.warning("batch of %d failed (%s); writing one by one", len(batch), exc)
            for one in batch:
                one.result = None
                self._commit([one])
            return
        for one in batch:
            if one.result is None:
                one.future.set_exception(RuntimeError("case was neither written nor replayed"))
            elif not one.future.done():
                one.future.set_result(one.result)

    def _write(self, batch: list[NewCase]) -> None:
        with write_lock(self._engine), self._engine.begin() as conn:
            fresh = self._replays(conn, batch)
            if not fresh:
                return
            since = min(c.case["created_at"] for c in fresh) - self._lookback
            seen = cases.contact_cases(conn, [k for c in fresh for k in c.keys], since)
            events = []
            for new in fresh:
                linked: set[str] = set()
                for key in new.keys:
                    linked |= seen.get(key, set())
                new.case["previous_contacts_12m"] = len(linked)
                for key in new.keys:  # later cases in this batch count this one
                    seen.setdefault(key, set()).add(new.case_id)
                events.append(CaseSubmitted(**new.event, previous_contacts_12m=len(linked)))
            cases.insert_many(
                conn, [c.case for c in fresh], [c.personal for c in fresh],
                [{"case_id": c.case_id, "key": k, "created_at": c.case["created_at"]}
                 for c in fresh for k in c.keys],
                [c.first_status for c in fresh])
            scores.add_unscored(conn, [(c.case_id, c.case["created_at"]) for c in fresh])
            outbox.enqueue_many(conn, events, source=IDENTITY.event_source)
            # Also deletes the expired records, on every write.
            idempotency.store_many(conn, [(c.idempotency, 201, c.response) for c in fresh
                                          if c.idempotency is not None])
            for new in fresh:
                new.result = (201, new.response)

    def _replays(self, conn: Connection, batch: list[NewCase]) -> list[NewCase]:
        """Answer repeats from their stored first answer; return the cases to write.

        Two repeats inside one batch both look new here; the idempotency table's key then
        fails the batch, and the one-by-one retry answers the second as a repeat."""
        fresh: list[NewCase] = []
        for new in batch:
            record = None
            if new.idempotency is not None:
                record = idempotency.replay(conn, new.idempotency)
            if record is not None:
                new.result = (record.status_code, record.response)
            else:
                fresh.append(new)
        return fresh
