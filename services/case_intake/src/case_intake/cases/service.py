"""Case intake's rules for a case once filed: read it, move it through the lifecycle,
note it, erase it. Filing itself is in ``filing.py``.

Each change is one transaction, opened here, that also writes its event to the outbox,
so the event is published if and only if the change is committed. Every event carries
the case's version after the change, so consumers can ignore one that arrives late.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from case_intake import IDENTITY
from case_intake.audit import repository as audit
from case_intake.cases import lifecycle
from case_intake.cases import repository as cases
from case_intake.cases.models import Case, Note, StatusChange
from case_intake.cases.new_case import receipt_hash
from case_intake.cases.schemas import (
    CaseDetail,
    CaseSummary,
    Consent,
    HistoryEntry,
    NoteOut,
    ReceiptStatus,
    contact_of,
    summary,
)
from case_intake.idempotency import repository as idempotency
from case_intake.metrics import IntakeMetrics
from case_intake.scores import repository as scores
from civic import outbox
from civic.contracts.cases import CaseErased, CaseStatusChanged, CaseSubmitted
from civic.contracts.common import ActorRole, CaseStatus
from civic.db import write_lock
from civic.errors import Conflict, NotFound
from civic.http.auth import Principal

PERSONAL_FIELDS = ["name", "phone", "email", "date_of_birth", "address", "postcode",
                   "details", "notes"]


def not_found(case_id: str) -> NotFound:
    return NotFound("Case not found", f"No case with id {case_id}.", slug="case-not-found")


def changed_meanwhile() -> Conflict:
    """Two changes to one case at once: the case's version lets only one of them win."""
    return Conflict("Case changed meanwhile", "Someone else changed this case at the same "
                    "moment; reload and retry.", slug="concurrent-change")


class CaseService:
    def __init__(self, engine: Engine, sessions: sessionmaker[Session], metrics: IntakeMetrics,
                 on_publish: Callable[[], None] = lambda: None) -> None:
        self.engine = engine
        self.sessions = sessions
        self.metrics = metrics
        self.on_publish = on_publish

    # -- read -----------------------------------------------------------------------

    def search(self, *, ward_code: str | None, status: CaseStatus | None,
               category: str | None, created_from: datetime | None,
               created_to: datetime | None, after: tuple[datetime, str] | None,
               limit: int) -> list[CaseSummary]:
        """Cases without personal data, newest first; ``after`` is the last one seen."""
        with self.sessions() as session:
            found = cases.search(session, ward_code=ward_code,
                                 status=status.value if status else None, category=category,
                                 created_from=created_from, created_to=created_to,
                                 after=after, limit=limit)
            return [summary(c) for c in found]

    def detail(self, case_id: str, principal: Principal, purpose: str) -> CaseDetail:
        with self.sessions.begin() as session:
            case = self._get(session, case_id)
            person = cases.personal(session, case_id)
            notes = cases.notes(session, case_id)
            if person is not None or notes:
                audit.record(session, principal, "read_personal_data", case_id,
                             PERSONAL_FIELDS, purpose)
            return CaseDetail(
                **summary(case).model_dump(), household=case.household,
                previous_contacts_12m=case.previous_contacts_12m, source=case.source,
                review_reason=case.review_reason,
                consent=Consent(lawful_basis=case.lawful_basis,
                                share_with_partners=case.share_with_partners,
                                terms_version=case.terms_version),
                contact=contact_of(person), postcode=person.postcode if person else None,
                details=person.details if person else None,
                notes=[NoteOut(at=n.at, author=n.author, text=n.text) for n in notes])

    def history(self, case_id: str, principal: Principal, purpose: str) -> list[HistoryEntry]:
        with self.sessions.begin() as session:
            case = self._get(session, case_id)
            if case.erased_at is None:  # after erasure the reasons are placeholders
                audit.record(session, principal, "read_personal_data", case_id,
                             ["history"], purpose)
            return [HistoryEntry(at=h.at, actor_role=h.actor_role, actor_id=h.actor_id,
                                 from_status=h.from_status, to_status=h.to_status,
                                 reason=h.reason)
                    for h in cases.history(session, case_id)]

    def audit_trail(self, case_id: str) -> list[dict[str, object]]:
        with self.sessions() as session:
            return [{"at": a.at, "actor_role": a.actor_role, "actor_id": a.actor_id,
                     "action": a.action, "fields": a.fields, "purpose": a.purpose}
                    for a in audit.for_case(session, case_id)]

    def receipt_status(self, token: str) -> ReceiptStatus | None:
        """The public view of a case, for whoever holds its receipt token."""
        with self.sessions() as session:
            case = cases.by_receipt(session, receipt_hash(token)) if len(token) < 64 else None
            if case is None:
                return None
            return ReceiptStatus(
                status=case.status, updated_at=case.updated_at,
                message=lifecycle.STATUS_MESSAGES[CaseStatus(case.status)])

    # -- change ---------------------------------------------------------------------

    def change_status_as_staff(self, case_id: str, target: CaseStatus, reason: str,
                               staff: Principal) -> CaseSummary:
        if target == CaseStatus.CLAIMED:
            raise Conflict("Illegal status change",
                           "a case becomes claimed only when a partner claims it",
                           slug="illegal-transition")
        return self.change_status(case_id, target, reason, staff)

    def change_status(self, case_id: str, target: CaseStatus, reason: str,
                      principal: Principal, partner_id: str | None = None,
                      guard: Callable[[Session, Case], None] | None = None) -> CaseSummary:
        """``guard``, if given, is a caller's rule (a partner's claim), checked in the same
        transaction with the case locked; it refuses by raising a domain error."""
        try:
            with write_lock(self.engine), self.sessions.begin() as session:
                case = self._get(session, case_id, for_update=True)
                if guard is not None:
                    guard(session, case)
                self._transition(session, case, target, reason, principal, partner_id)
                result = summary(case)
        except StaleDataError as exc:
            raise changed_meanwhile() from exc
        self.on_publish()
        return result

    def _transition(self, session: Session, case: Case, target: CaseStatus, reason: str,
                    principal: Principal, partner_id: str | None) -> None:
        current = CaseStatus(case.status)
        lifecycle.check(current, target)
        now = datetime.now(UTC)
        if target == CaseStatus.CLAIMED:
            case.claimed_by = partner_id
        elif target == CaseStatus.TRIAGED and current == CaseStatus.CLAIMED:
            case.claimed_by = None
        case.status, case.updated_at = target.value, now
        scores.follow_status(session, case.id, target.value)
        if case.erased_at is not None:  # staff words about an erased resident are not kept
            reason = cases.ERASED_TEXT
        session.add(StatusChange(case_id=case.id, at=now, actor_role=principal.role.value,
                                 actor_id=principal.name, from_status=current.value,
                                 to_status=target.value, reason=reason))
        session.flush()  # raises case.version, which the event carries
        outbox.enqueue(session.connection(), CaseStatusChanged(
            case_id=uuid.UUID(case.id), from_status=current, to_status=target, changed_at=now,
            actor_role=ActorRole(principal.role.value), actor_id=principal.name,
            partner_id=case.claimed_by, case_version=case.version),
            source=IDENTITY.event_source)
        self.metrics.status_changed(target.value)

    def add_note(self, case_id: str, text: str, principal: Principal) -> NoteOut:
        with write_lock(self.engine), self.sessions.begin() as session:
            case = self._get(session, case_id)
            if case.erased_at is not None:
                raise Conflict("Case erased", "Notes cannot be added to an erased case.",
                               slug="case-erased")
            note = Note(case_id=case_id, at=datetime.now(UTC), author=principal.name, text=text)
            session.add(note)
            audit.record(session, principal, "write_personal_data", case_id, ["notes"],
                         "case note")
            return NoteOut(at=note.at, author=note.author, text=note.text)

    def erase(self, case_id: str, reason: str, principal: Principal) -> CaseSummary:
        with write_lock(self.engine), self.sessions.begin() as session:
            case = self._get(session, case_id, for_update=True)
            if case.erased_at is None:
                now = datetime.now(UTC)
                cases.erase_personal(session, case_id)
                idempotency.forget_case(session.connection(), case_id)
                # a submission still waiting for the broker carries the pseudonym
                outbox.redact_pending(session.connection(), key=case_id,
                                      event_type=CaseSubmitted.event_type,
                                      fields={"resident_key": None})
                audit.blank_purposes(session, case_id, cases.ERASED_TEXT)
                scores.forget(session, case_id)  # it leaves the staff queue with its data
                # the review reason can quote the postcode the resident gave
                case.review_reason = cases.ERASED_TEXT if case.review_reason else None
                case.erased_at, case.resident_key, case.updated_at = now, None, now
                audit.record(session, principal, "erase_personal_data", case_id,
                             PERSONAL_FIELDS, reason)
                session.flush()  # raises case.version, which the event carries
                outbox.enqueue(session.connection(),
                               CaseErased(case_id=uuid.UUID(case_id), erased_at=now,
                                          case_version=case.version),
                               source=IDENTITY.event_source)
            result = summary(case)
        self.on_publish()
        return result

    @staticmethod
    def _get(session: Session, case_id: str, *, for_update: bool = False) -> Case:
        case = cases.get(session, case_id, for_update=for_update)
        if case is None:
            raise not_found(case_id)
        return case
