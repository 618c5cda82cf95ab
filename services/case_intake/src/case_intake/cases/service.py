"""Case intake's rules: accept, place, link, move through the lifecycle, erase.

Each operation is one database transaction that also writes its event to the outbox,
so the event is published if and only if the change is committed.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from case_intake.audit import repository as audit
from case_intake.cases import lifecycle
from case_intake.cases import repository as cases
from case_intake.cases.schemas import (
    CaseCreate,
    CaseCreated,
    CaseDetail,
    CaseSummary,
    Consent,
    Contact,
    LocationOut,
    NoteOut,
)
from case_intake.cases.writer import CaseWriter, NewCase
from case_intake.idempotency import repository as idempotency
from case_intake.location.resolver import LocationResolver
from case_intake.metrics import IntakeMetrics
from case_intake.models import Case, CasePersonal, Note, StatusChange
from case_intake.residents.pseudonym import Pseudonymiser
from civic import outbox
from civic.contracts.cases import (
    CaseErased,
    CaseLocation,
    CaseStatusChanged,
    ConsentFacts,
)
from civic.contracts.common import ActorRole, CaseStatus
from civic.db import write_lock
from civic.http.auth import Principal, Role
from civic.http.problems import Problem

SOURCE = "/civic/case-intake"
PERSONAL_FIELDS = ["name", "phone", "email", "date_of_birth", "address", "postcode",
                   "details", "notes"]


WRITE_TIMEOUT_S = 30.0


def not_found(case_id: str) -> Problem:
    return Problem(404, "Case not found", f"No case with id {case_id}.", slug="case-not-found")


def receipt_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CaseService:
    def __init__(self, engine: Engine, sessions: sessionmaker[Session], resolver: LocationResolver,
                 pseudonymiser: Pseudonymiser, metrics: IntakeMetrics,
                 lookback: timedelta = timedelta(days=365), on_publish=lambda: None) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.writer = CaseWriter(engine, lookback)
        self.sessions = sessions
        self.resolver = resolver
        self.pseudonymiser = pseudonymiser
        self.metrics = metrics
        self.lookback = lookback
        self.on_publish = on_publish

    # -- create ---------------------------------------------------------------------

    def create(self, body: CaseCreate, principal: Principal,
               idempotency_key: str | None) -> tuple[int, dict]:  # type: ignore[type-arg]
        """File a case, blocking until it is committed (for sync callers: form, Open311)."""
        new = self._new_case(body, principal, idempotency_key)
        try:
            answer = self.writer.write(new)
        except IntegrityError as exc:
            answer = self._answer_of_winner(new, exc)
        return self._created(new, answer)

    async def create_async(self, body: CaseCreate, principal: Principal,
                           idempotency_key: str | None) -> tuple[int, dict]:  # type: ignore[type-arg]
        """The same, awaiting the commit without holding a worker thread."""
        new = self._new_case(body, principal, idempotency_key)
        try:
            answer = await asyncio.wait_for(asyncio.wrap_future(self.writer.submit(new)),
                                            WRITE_TIMEOUT_S)
        except TimeoutError as exc:
            raise Problem(503, "Service busy",
                          "The case was not confirmed in time and may still be stored. "
                          "Repeat the request with the same Idempotency-Key to get its "
                          "outcome without filing it twice.", slug="write-timeout",
                          headers={"Retry-After": "5"}) from exc
        except IntegrityError as exc:
            answer = await anyio.to_thread.run_sync(self._answer_of_winner, new, exc)
        return self._created(new, answer)

    def _new_case(self, body: CaseCreate, principal: Principal,
                  idempotency_key: str | None) -> NewCase:
        if principal.role == Role.PARTNER and body.channel != "partner":
            raise Problem(422, "Invalid request", "partners file cases on the 'partner' channel",
                          slug="invalid-request")
        new = self._prepare(body, principal)
        if idempotency_key is not None:
            body_hash = idempotency.request_hash(body.model_dump(mode="json"))
            new.idempotency = (idempotency_key, principal.name, body_hash)
        return new

    def _answer_of_winner(self, new: NewCase, error: IntegrityError
                          ) -> tuple[int, dict]:  # type: ignore[type-arg]
        """A concurrent repeat with the same key won the race: answer as it did."""
        if new.idempotency is None:
            raise error
        with self.engine.connect() as conn:
            record = idempotency.replay(conn, *new.idempotency)
        if record is None:
            raise error
        return record.status_code, record.response

    def _created(self, new: NewCase, answer: tuple[int, dict]) -> tuple[int, dict]:  # type: ignore[type-arg]
        status, response = answer
        if response["id"] == new.case_id:  # new, not a replayed answer
            self.metrics.case_created(new.case["channel"], new.case["categories"],
                                      resolved=new.case["location_resolved"])
            self.on_publish()
        return status, response

    def _prepare(self, body: CaseCreate, principal: Principal) -> NewCase:
        """Everything about a new case that needs no database, done outside the lock."""
        now = datetime.now(UTC)
        case_id = uuid.uuid4()
        place = self.resolver.resolve(postcode=body.location.postcode,
                                      ward_code=body.location.ward_code,
                                      lsoa_code=body.location.lsoa_code)
        contact = body.contact
        keys = self.pseudonymiser.keys(phone=contact.phone, email=contact.email,
                                       name=contact.name, date_of_birth=contact.date_of_birth)
        token = secrets.token_urlsafe(16)
        created = CaseCreated(
            id=case_id, status=CaseStatus.SUBMITTED, receipt_token=token,
            location=LocationOut(ward_code=place.ward_code, lsoa_code=place.lsoa_code,
                                 resolved=place.resolved, needs_review=not place.resolved,
                                 review_reason=place.review_reason))
        resident_key = keys[0] if keys else None
        return NewCase(
            case=dict(
                id=str(case_id), created_at=now, updated_at=now, channel=body.channel.value,
                source=body.source, categories=[c.value for c in body.categories],
                urgency=body.urgency.value, household=body.household.model_dump(mode="json"),
                status=CaseStatus.SUBMITTED.value, ward_code=place.ward_code,
                lsoa_code=place.lsoa_code, location_resolved=place.resolved,
                needs_review=not place.resolved, review_reason=place.review_reason,
                resident_key=resident_key, previous_contacts_12m=0,
                lawful_basis=body.consent.lawful_basis.value,
                share_with_partners=body.consent.share_with_partners,
                terms_version=body.consent.terms_version, receipt_hash=receipt_hash(token),
                created_by=principal.name, version=1),
            personal=dict(
                case_id=str(case_id), name=contact.name, phone=contact.phone,
                email=str(contact.email) if contact.email else None,
                date_of_birth=contact.date_of_birth, address=contact.address,
                postcode=body.location.postcode, details=body.details,
                preferred_contact=contact.preferred_contact),
            keys=keys,
            first_status=dict(case_id=str(case_id), at=now, actor_role=_actor_role(principal),
                              actor_id=principal.name, from_status=None,
                              to_status=CaseStatus.SUBMITTED.value,
                              reason=f"submitted via {body.channel.value}"),
            event=dict(
                case_id=case_id, submitted_at=now, channel=body.channel, source=body.source,
                categories=body.categories, urgency=body.urgency, household=body.household,
                location=CaseLocation(ward_code=place.ward_code, lsoa_code=place.lsoa_code,
                                      resolved=place.resolved),
                resident_key=resident_key,
                consent=ConsentFacts(lawful_basis=body.consent.lawful_basis.value,
                                     share_with_partners=body.consent.share_with_partners,
                                     terms_version=body.consent.terms_version)),
            response=created.model_dump(mode="json"))

    # -- read -----------------------------------------------------------------------

    def detail(self, case_id: str, principal: Principal, purpose: str) -> CaseDetail:
        with self.sessions.begin() as session:
            case = cases.get(session, case_id)
            if case is None:
                raise not_found(case_id)
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

    # -- change ---------------------------------------------------------------------

    def change_status(self, case_id: str, target: CaseStatus, reason: str,
                      principal: Principal, partner_id: str | None = None) -> CaseSummary:
        try:
            with write_lock(self.engine), self.sessions.begin() as session:
                case = cases.get(session, case_id, for_update=True)
                if case is None:
                    raise not_found(case_id)
                self._transition(session, case, target, reason, principal, partner_id)
                result = summary(case)
        except StaleDataError as exc:
            raise Problem(409, "Case changed meanwhile",
                          "Someone else changed this case at the same moment; reload and retry.",
                          slug="concurrent-change") from exc
        self.on_publish()
        return result

    def _transition(self, session: Session, case: Case, target: CaseStatus, reason: str,
                    principal: Principal, partner_id: str | None) -> None:
        current = CaseStatus(case.status)
        try:
            lifecycle.check(current, target)
        except lifecycle.IllegalTransition as exc:
            raise Problem(409, "Illegal status change", str(exc),
                          slug="illegal-transition") from exc
        now = datetime.now(UTC)
        if target == CaseStatus.CLAIMED:
            case.claimed_by = partner_id
        elif target == CaseStatus.TRIAGED and current == CaseStatus.CLAIMED:
            case.claimed_by = None
        case.status, case.updated_at = target.value, now
        session.add(StatusChange(case_id=case.id, at=now, actor_role=_actor_role(principal),
                                 actor_id=principal.name, from_status=current.value,
                                 to_status=target.value, reason=reason))
        outbox.enqueue(session.connection(), CaseStatusChanged(
            case_id=uuid.UUID(case.id), from_status=current, to_status=target, changed_at=now,
            actor_role=ActorRole(_actor_role(principal)), actor_id=principal.name,
            partner_id=case.claimed_by), source=SOURCE)
        self.metrics.status_changed(target.value)

    def add_note(self, case_id: str, text: str, principal: Principal) -> NoteOut:
        with write_lock(self.engine), self.sessions.begin() as session:
            case = cases.get(session, case_id)
            if case is None:
                raise not_found(case_id)
            if case.erased_at is not None:
                raise Problem(409, "Case erased", "Notes cannot be added to an erased case.",
                              slug="case-erased")
            note = Note(case_id=case_id, at=datetime.now(UTC), author=principal.name, text=text)
            session.add(note)
            audit.record(session, principal, "write_personal_data", case_id, ["notes"],
                         "case note")
            return NoteOut(at=note.at, author=note.author, text=note.text)

    def erase(self, case_id: str, reason: str, principal: Principal) -> CaseSummary:
        with write_lock(self.engine), self.sessions.begin() as session:
            case = cases.get(session, case_id, for_update=True)
            if case is None:
                raise not_found(case_id)
            if case.erased_at is None:
                now = datetime.now(UTC)
                cases.erase_personal(session, case_id)
                case.erased_at, case.resident_key, case.updated_at = now, None, now
                audit.record(session, principal, "erase_personal_data", case_id,
                             PERSONAL_FIELDS, reason)
                outbox.enqueue(session.connection(),
                               CaseErased(case_id=uuid.UUID(case_id), erased_at=now),
                               source=SOURCE)
            result = summary(case)
        self.on_publish()
        return result


def summary(case: Case) -> CaseSummary:
    return CaseSummary(id=uuid.UUID(case.id), created_at=case.created_at, status=case.status,
                       channel=case.channel, categories=case.categories, urgency=case.urgency,
                       ward_code=case.ward_code, lsoa_code=case.lsoa_code,
                       needs_review=case.needs_review, claimed_by=case.claimed_by,
                       erased=case.erased_at is not None)


def contact_of(person: CasePersonal | None) -> Contact | None:
    if person is None:
        return None
    return Contact.model_construct(name=person.name, phone=person.phone, email=person.email,
                                   date_of_birth=person.date_of_birth, address=person.address,
                                   preferred_contact=person.preferred_contact)


def _actor_role(principal: Principal) -> str:
    return principal.role.value
