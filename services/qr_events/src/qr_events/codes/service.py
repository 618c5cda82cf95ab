"""Creating, re-pointing and retiring codes. Every change is a new revision: a history
row (who, when, what), an event on ``qr.codes`` through the outbox in the same
transaction, and, once committed, this worker's view."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from civic import outbox
from civic.contracts.qr import CodeChange
from civic.errors import Conflict, InvalidInput, NotFound
from civic.http.auth import Principal
from qr_events import IDENTITY
from qr_events.codes import identifiers, repository
from qr_events.codes.destinations import Destinations
from qr_events.codes.events import code_changed
from qr_events.codes.links import ShortLinks
from qr_events.codes.models import Code, CodeChangeRecord
from qr_events.codes.schemas import (
    CodeIn,
    CodeOut,
    DestinationChangeIn,
    HistoryOut,
    RetireIn,
    code_out,
    history_out,
)
from qr_events.codes.view import CodeState, CodeView

Clock = Callable[[], datetime]
NEW_CODE_ATTEMPTS = 5


def parse_code(text: str, field: str = "code") -> str:
    try:
        return identifiers.normalise(text)
    except identifiers.BadCode as exc:
        raise InvalidInput("Not a code", f"{field}: {exc}", slug="bad-code") from None


class CodeService:
    def __init__(self, sessions: sessionmaker[Session], destinations: Destinations,
                 links: ShortLinks, view: CodeView, wards: Collection[str], *,
                 code_length: int = 7,
                 on_publish: Callable[[], None] = lambda: None,
                 clock: Clock = lambda: datetime.now(UTC)) -> None:
        self.sessions = sessions
        self.destinations = destinations
        self.links = links
        self.view = view
        self.wards = wards
        self.code_length = code_length
        self.on_publish = on_publish
        self.clock = clock

    def create(self, body: CodeIn, actor: Principal, *,
               short_code: str | None = None) -> CodeOut:
        """``short_code`` only for demo data, which needs codes a README can name."""
        if body.ward not in self.wards:
            raise InvalidInput("Unknown ward", f"ward: {body.ward} is not a ward of this "
                               "council", slug="unknown-ward")
        url = self.destinations.check(body.destination.kind, body.destination.url)
        for _ in range(NEW_CODE_ATTEMPTS):
            now = self.clock()
            code = Code(id=uuid.uuid4(),
                        short_code=short_code or identifiers.new_code(self.code_length),
                        revision=1, destination_kind=body.destination.kind,
                        destination_url=url, touchpoint=body.touchpoint.value,
                        venue_name=body.venue_name, ward=body.ward, campaign=body.campaign,
                        print_batch=body.print_batch, valid_from=body.valid_from,
                        valid_until=body.valid_until, created_at=now, updated_at=now)
            try:
                with self.sessions.begin() as session:
                    session.add(code)
                    session.flush()  # a clash of random codes fails here, and is retried
                    self._record(session, code, CodeChange.CREATED, actor,
                                 {"destination": self._where(code)})
            except IntegrityError:
                continue
            return self._published(code, CodeChange.CREATED)
        raise Conflict("No free code", "could not find an unused code; try again",
                       slug="no-free-code")

    def get(self, text: str) -> CodeOut:
        return self.present(self.row(text))

    def row(self, text: str) -> Code:
        with self.sessions() as session:
            return self._existing(session, parse_code(text))

    def page(self, *, campaign: str | None, after: str | None, limit: int) -> list[CodeOut]:
        with self.sessions() as session:
            rows = repository.page(session, campaign=campaign, after=after, limit=limit)
            return [self.present(code) for code in rows]

    def present(self, code: Code) -> CodeOut:
        # what a scan gets now: a switch whose time has come is shown as done (this
        # copy only; the row changes at the code's next change)
        self._settle_switch(code, self.clock())
        status = CodeState.of(code_changed(code, CodeChange.CREATED, self.destinations)
                              ).outcome(self.clock())
        return code_out(code, links=self.links, destinations=self.destinations,
                        status="active" if status == "redirected" else status.value)

    def change_destination(self, text: str, body: DestinationChangeIn,
                           actor: Principal) -> CodeOut:
        kind, url = body.destination.kind, self.destinations.check(
            body.destination.kind, body.destination.url)
        now = self.clock()
        with self.sessions.begin() as session:
            code = self._existing(session, parse_code(text), for_update=True)
            self._refuse_if_retired(code)
            self._settle_switch(code, now)
            before = self._where(code)
            if body.switch_at is None or body.switch_at <= now:
                change = CodeChange.DESTINATION_CHANGED
                code.destination_kind, code.destination_url = kind, url
                code.scheduled_kind = code.scheduled_url = code.switch_at = None
            else:
                change = CodeChange.SWITCH_SCHEDULED
                code.scheduled_kind, code.scheduled_url = kind, url
                code.switch_at = body.switch_at
            self._bump(code, now)
            self._record(session, code, change, actor, {"before": before,
                                                        "after": self._where(code)})
        return self._published(code, change)

    def retire(self, text: str, body: RetireIn, actor: Principal) -> CodeOut:
        now = self.clock()
        with self.sessions.begin() as session:
            code = self._existing(session, parse_code(text), for_update=True)
            self._refuse_if_retired(code)
            self._settle_switch(code, now)
            replacement = None
            if body.replacement is not None:
                replacement = parse_code(body.replacement, "replacement")
                if replacement == code.short_code or not repository.exists(session,
                                                                           replacement):
                    raise InvalidInput("Unknown replacement", "replacement: no other code "
                                       f"{replacement} exists", slug="unknown-replacement")
            code.retired_at, code.replacement_code = now, replacement
            self._bump(code, now)
            self._record(session, code, CodeChange.RETIRED, actor,
                         {"replacement": replacement})
        return self._published(code, CodeChange.RETIRED)

    def history(self, text: str) -> HistoryOut:
        with self.sessions() as session:
            code = self._existing(session, parse_code(text))
            return history_out(code, list(repository.history(session, code.id)))

    def campaign_codes(self, campaign: str) -> list[uuid.UUID]:
        with self.sessions() as session:
            return repository.ids_in_campaign(session, campaign)

    def load_view(self) -> int:
        """Fill this worker's view from the database, before it serves a redirect."""
        with self.sessions() as session:
            for code in repository.every_code(session):
                self.view.apply(CodeState.of(code_changed(code, CodeChange.CREATED,
                                                          self.destinations)))
        self.view.mark_synced()
        return len(self.view)

    def _existing(self, session: Session, short_code: str, *, for_update: bool = False) -> Code:
        code = repository.by_short_code(session, short_code, for_update=for_update)
        if code is None:
            raise NotFound("No such code", f"there is no code {short_code}", slug="no-code")
        return code

    @staticmethod
    def _refuse_if_retired(code: Code) -> None:
        if code.retired_at is not None:
            raise Conflict("Code retired", f"code {code.short_code} is retired and can't "
                           "change; make a new one", slug="code-retired")

    @staticmethod
    def _settle_switch(code: Code, now: datetime) -> None:
        """A scheduled switch whose time has passed is the destination now: the view
        switched at that time with no write, so the row catches up before it changes
        again (or a new schedule would send scans back to the old destination)."""
        if code.scheduled_kind and code.switch_at is not None and code.switch_at <= now:
            code.destination_kind, code.destination_url = code.scheduled_kind, code.scheduled_url
            code.scheduled_kind = code.scheduled_url = code.switch_at = None

    @staticmethod
    def _bump(code: Code, now: datetime) -> None:
        code.revision += 1
        code.updated_at = now

    def _where(self, code: Code) -> dict[str, Any]:
        where: dict[str, Any] = {"kind": code.destination_kind, "url": code.destination_url}
        if code.scheduled_kind:
            where["scheduled"] = {"kind": code.scheduled_kind, "url": code.scheduled_url,
                                  "switch_at": code.switch_at.isoformat()
                                  if code.switch_at else None}
        return where

    def _record(self, session: Session, code: Code, change: CodeChange, actor: Principal,
                details: dict[str, Any]) -> None:
        session.add(CodeChangeRecord(code_id=code.id, revision=code.revision,
                                     change=change.value, changed_at=code.updated_at,
                                     actor=actor.name, actor_role=actor.role.value,
                                     details=details))
        outbox.enqueue(session.connection(), code_changed(code, change, self.destinations),
                       source=IDENTITY.event_source)

    def _published(self, code: Code, change: CodeChange) -> CodeOut:
        self.view.apply(CodeState.of(code_changed(code, change, self.destinations)))
        self.on_publish()
        return self.present(code)
