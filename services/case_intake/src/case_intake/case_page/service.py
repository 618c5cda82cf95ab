"""The case page's reads. Opening the page reads staff's words about the resident (the
history's reasons and the notes), so each opening is audited; the contact details are
read only through ``reveal``, which needs a purpose and is audited with it. Changes go
through the services that own them (``CaseService``, placing, need scoring's API)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from case_intake.audit import repository as audit
from case_intake.case_page import repository
from case_intake.case_page.schemas import (
    AuditLine,
    CaseView,
    EarlierContact,
    Factor,
    Revealed,
    ScoreExplained,
)
from case_intake.cases import lifecycle
from case_intake.cases import repository as cases
from case_intake.cases.models import Case
from case_intake.cases.schemas import HistoryEntry, NoteOut, reference
from case_intake.cases.service import CaseService, not_found
from case_intake.scores.models import CaseScore
from civic.contracts.common import CaseStatus
from civic.db import write_lock
from civic.http.auth import Principal

PAGE_PURPOSE = "case page: history, notes and earlier contacts"


class CasePage:
    def __init__(self, engine: Engine, sessions: sessionmaker[Session],
                 case_service: CaseService,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.sessions = sessions
        self.case_service = case_service
        self.clock = clock

    def view(self, case_id: str, staff: Principal) -> CaseView:
        with write_lock(self.engine), self.sessions.begin() as session:
            case = cases.get(session, case_id)
            if case is None:
                raise not_found(case_id)
            history = cases.history(session, case_id)
            notes = cases.notes(session, case_id)
            if case.erased_at is None:  # after erasure they are placeholders
                audit.record(session, staff, "read_personal_data", case_id,
                             ["history", "notes", "earlier_contacts"], PAGE_PURPOSE)
            session.flush()  # the page's own audit line is the newest one it shows
            return CaseView(
                case_id=case.id, reference=reference(case.id), opened_at=case.created_at,
                status=case.status, channel=case.channel, source=case.source,
                categories=list(case.categories), urgency=case.urgency,
                household=dict(case.household), ward_code=case.ward_code,
                lsoa_code=case.lsoa_code, needs_review=case.needs_review,
                share_with_partners=case.share_with_partners, claimed_by=case.claimed_by,
                erased=case.erased_at is not None,
                previous_contacts_12m=case.previous_contacts_12m,
                score=_explained(repository.score(session, case_id)),
                history=[HistoryEntry(at=h.at, actor_role=h.actor_role, actor_id=h.actor_id,
                                      from_status=h.from_status, to_status=h.to_status,
                                      reason=h.reason) for h in history],
                notes=[NoteOut(at=n.at, author=n.author, text=n.text) for n in notes],
                audit=[AuditLine(at=a.at, actor_id=a.actor_id, action=a.action,
                                 fields=list(a.fields), purpose=a.purpose)
                       for a in audit.for_case(session, case_id)],
                earlier_contacts=[_earlier(c) for c in
                                  repository.earlier_contacts(session, case_id)],
                next_statuses=_next_statuses(case))

    def reveal(self, case_id: str, staff: Principal, purpose: str) -> Revealed:
        """The resident's details, for the purpose given; the read is audited with it."""
        return Revealed(purpose, self.case_service.detail(case_id, staff, purpose))


def _explained(row: CaseScore | None) -> ScoreExplained | None:
    if row is None or row.score is None or row.band is None or row.scored_at is None:
        return None
    return ScoreExplained(
        score=row.score, band=row.band, policy_version=row.policy_version or "",
        scored_at=row.scored_at, overridden_at=row.overridden_at,
        factors=[Factor(str(f["factor"]), int(str(f["points"])), str(f["reason"]))
                 for f in row.contributions or []],
        top_reasons=list(row.reasons or []))


def _earlier(case: Case) -> EarlierContact:
    return EarlierContact(case_id=case.id, reference=reference(case.id),
                          opened_at=case.created_at, status=case.status,
                          categories=list(case.categories))


def _next_statuses(case: Case) -> list[str]:
    """Where staff may move the case: claiming is a partner's act, not staff's."""
    allowed = lifecycle.TRANSITIONS[CaseStatus(case.status)] - {CaseStatus.CLAIMED}
    return [s.value for s in CaseStatus if s in allowed]
