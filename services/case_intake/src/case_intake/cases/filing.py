"""Filing a new case: the hot path.

A request thread prepares the case completely (``new_case.prepare``) and hands it to
the group-commit writer, which stores the case, its first history entry, its outbox
event and any idempotency record in one transaction. A repeated Idempotency-Key gets
the first answer again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from case_intake.cases.new_case import prepare
from case_intake.cases.schemas import CaseCreate
from case_intake.cases.writer import CaseWriter, NewCase
from case_intake.idempotency import repository as idempotency
from case_intake.idempotency.sealing import IdempotencyKeys
from case_intake.location.resolver import LocationResolver
from case_intake.metrics import IntakeMetrics
from case_intake.residents.pseudonym import Pseudonymiser
from civic.errors import InvalidInput, Unavailable
from civic.http.auth import Principal, Role

WRITE_TIMEOUT_S = 30.0
Answer = tuple[int, dict[str, Any]]


class CaseFiling:
    def __init__(self, engine: Engine, resolver: LocationResolver,
                 pseudonymiser: Pseudonymiser, metrics: IntakeMetrics,
                 lookback: timedelta = timedelta(days=365),
                 on_publish: Callable[[], None] = lambda: None, *,
                 idempotency_keys: IdempotencyKeys) -> None:
        self.engine = engine
        self.idempotency_keys = idempotency_keys
        self.writer = CaseWriter(engine, lookback)
        self.resolver = resolver
        self.pseudonymiser = pseudonymiser
        self.metrics = metrics
        self.on_publish = on_publish

    def create(self, body: CaseCreate, principal: Principal,
               idempotency_key: str | None) -> Answer:
        """File a case, blocking until it is committed (for sync callers: form, Open311)."""
        new = self._new_case(body, principal, idempotency_key)
        try:
            answer = self.writer.write(new)
        except IntegrityError as exc:
            answer = self._answer_of_winner(new, exc)
        return self._created(new, answer)

    async def create_async(self, body: CaseCreate, principal: Principal,
                           idempotency_key: str | None) -> Answer:
        """The same, awaiting the commit without holding a worker thread."""
        new = self._new_case(body, principal, idempotency_key)
        try:
            answer = await asyncio.wait_for(asyncio.wrap_future(self.writer.submit(new)),
                                            WRITE_TIMEOUT_S)
        except TimeoutError as exc:
            raise Unavailable("Service busy",
                              "The case was not confirmed in time and may still be stored. "
                              "Repeat the request with the same Idempotency-Key to get its "
                              "outcome without filing it twice.", slug="write-timeout",
                              retry_after_s=5) from exc
        except IntegrityError as exc:
            answer = await anyio.to_thread.run_sync(self._answer_of_winner, new, exc)
        return self._created(new, answer)

    def prepare(self, body: CaseCreate, principal: Principal) -> NewCase:
        return prepare(body, principal, self.resolver, self.pseudonymiser)

    def _new_case(self, body: CaseCreate, principal: Principal,
                  idempotency_key: str | None) -> NewCase:
        if principal.role == Role.PARTNER and body.channel != "partner":
            raise InvalidInput("Invalid request", "partners file cases on the 'partner' channel",
                               slug="invalid-request")
        new = self.prepare(body, principal)
        if idempotency_key is not None:
            new.idempotency = self.idempotency_keys.request(
                idempotency_key, principal.name, body.model_dump(mode="json"))
        return new

    def _answer_of_winner(self, new: NewCase, error: IntegrityError) -> Answer:
        """A concurrent repeat with the same key won the race: answer as it did."""
        if new.idempotency is None:
            raise error
        with self.engine.connect() as conn:
            record = idempotency.replay(conn, new.idempotency)
        if record is None:
            raise error
        return record.status_code, record.response

    def _created(self, new: NewCase, answer: Answer) -> Answer:
        status, response = answer
        if response["id"] == new.case_id:  # new, not a replayed answer
            self.metrics.case_created(new.case["channel"], new.case["categories"],
                                      resolved=new.case["location_resolved"])
            self.on_publish()
        return status, response
