"""Partner claims: one partner per case, contact details only with consent."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from case_intake.audit import repository as audit
from case_intake.cases import repository as cases
from case_intake.cases.models import Case
from case_intake.cases.schemas import contact_of, summary
from case_intake.cases.service import CaseService, not_found
from case_intake.claims.schemas import ClaimResult
from civic.contracts.common import CaseStatus
from civic.errors import Conflict, NotAllowed
from civic.http.auth import Principal

CONTACT_FIELDS = ["name", "phone", "email", "address", "preferred_contact"]


class ClaimService:
    def __init__(self, sessions: sessionmaker[Session], case_service: CaseService) -> None:
        self.sessions = sessions
        self.case_service = case_service

    def claim(self, case_id: str, partner: Principal) -> ClaimResult:
        with self.sessions() as session:
            case = cases.get(session, case_id)
            if case is None:
                raise not_found(case_id)
            holder = case.claimed_by
        if holder == partner.name:
            return self.contact(case_id, partner)  # a repeat claim by the holder is harmless
        if holder is not None:
            raise Conflict("Already claimed", "Another partner holds this case.",
                           slug="already-claimed")
        self.case_service.change_status(case_id, CaseStatus.CLAIMED, "claimed by partner",
                                        partner, partner_id=partner.name)
        return self.contact(case_id, partner)

    def release(self, case_id: str, partner: Principal, reason: str) -> ClaimResult:
        with self.sessions() as session:
            _held_by(session, case_id, partner)
        released = self.case_service.change_status(case_id, CaseStatus.TRIAGED, reason, partner)
        return ClaimResult(case=released, contact=None, contact_withheld_reason="released")

    def contact(self, case_id: str, partner: Principal) -> ClaimResult:
        with self.sessions.begin() as session:
            case = _held_by(session, case_id, partner)
            if case.erased_at is not None:
                return ClaimResult(case=summary(case), contact=None,
                                   contact_withheld_reason="the resident's details were erased")
            if not case.share_with_partners:
                return ClaimResult(case=summary(case), contact=None,
                                   contact_withheld_reason="the resident did not consent to "
                                   "sharing; the council will contact them")
            person = cases.personal(session, case_id)
            audit.record(session, partner, "release_contact_to_partner", case_id,
                         CONTACT_FIELDS, "partner claim, resident consented")
            found = contact_of(person)
            if found is not None:
                found = found.model_copy(update={"date_of_birth": None})  # not needed to help
            return ClaimResult(case=summary(case), contact=found)


def _held_by(session: Session, case_id: str, partner: Principal) -> Case:
    """The case, if this partner holds its claim."""
    case = cases.get(session, case_id)
    if case is None:
        raise not_found(case_id)
    if case.claimed_by != partner.name:
        raise NotAllowed("Not your case", "Only the partner holding the claim can do this.",
                         slug="not-claim-holder")
    return case
