"""Partner claims: one partner per case, inside its coverage and under its cap; contact
details only while it holds the case, and only with consent. The rules are in
``scope.py``."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from case_intake.audit import repository as audit
from case_intake.cases import repository as cases
from case_intake.cases.models import Case
from case_intake.cases.schemas import CaseSummary, contact_of, summary
from case_intake.cases.service import CaseService, not_found
from case_intake.claims import repository as claims
from case_intake.claims.schemas import ClaimResult
from case_intake.claims.scope import HELD_STATUSES, check_claim, hold_refusal
from civic.contracts.common import CaseStatus
from civic.errors import NotAllowed, TooMany
from civic.http.auth import Principal

CONTACT_FIELDS = ["name", "phone", "email", "address", "preferred_contact"]
# A claim over the cap can succeed once the partner releases or finishes a case; a
# minute is a polite interval to try again at.
CAP_RETRY_AFTER_S = 60
# How far a holding partner may move its case on: the rest of the lifecycle (closing,
# withdrawing, reopening) is the council's.
PARTNER_MOVES = frozenset({CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED})


class ClaimService:
    def __init__(self, sessions: sessionmaker[Session], case_service: CaseService,
                 claim_cap: int = 25) -> None:
        self.sessions = sessions
        self.case_service = case_service
        self.claim_cap = claim_cap

    def claim(self, case_id: str, partner: Principal) -> ClaimResult:
        self.take(case_id, partner)
        return self.contact(case_id, partner)

    def take(self, case_id: str, partner: Principal) -> None:
        """The claim alone, without reading the contact details: for a caller that shows
        them somewhere else (the partner pages' list of held cases reads them, audited),
        so no read of personal data is recorded that nobody saw."""
        with self.sessions() as session:
            case = cases.get(session, case_id)
            if case is None:
                raise not_found(case_id)
            repeat = case.claimed_by == partner.name and case.status in HELD_STATUSES
        if repeat:
            return  # a repeat claim by the holder is harmless

        def may_claim(session: Session, case: Case) -> None:
            # checked with the case locked, in the claim's own transaction
            check_claim(case, partner)
            self._check_cap(session, partner)

        self.case_service.change_status(case_id, CaseStatus.CLAIMED, "claimed by partner",
                                        partner, partner_id=partner.name, guard=may_claim)

    def _check_cap(self, session: Session, partner: Principal) -> None:
        """Refuse a claim that would take the partner over its cap. The partner's claims
        queue on a lock until this transaction ends, so concurrent claims cannot each
        count the same total and all pass."""
        claims.lock_partner(session, partner.name)
        held = claims.held_count(session, partner.name, [s.value for s in HELD_STATUSES])
        if held >= self.claim_cap:
            raise TooMany("Claim cap reached",
                          f"This partner already holds {held} open cases, the most one "
                          f"partner may hold at once ({self.claim_cap}); release or finish "
                          "one first.", slug="claim-cap-reached",
                          retry_after_s=CAP_RETRY_AFTER_S)

    def release(self, case_id: str, partner: Principal, reason: str) -> ClaimResult:
        released = self.case_service.change_status(case_id, CaseStatus.TRIAGED, reason,
                                                   partner, guard=_held_by(partner))
        return ClaimResult(case=released, contact=None, contact_withheld_reason="released")

    def progress(self, case_id: str, partner: Principal, target: CaseStatus) -> CaseSummary:
        """The holding partner marks its case in progress or resolved. The lifecycle
        still decides the order (a claimed case is in progress before it is resolved:
        409 otherwise); once resolved the partner no longer holds it."""
        if target not in PARTNER_MOVES:
            raise NotAllowed("Not a partner's move", f"A partner can mark a case "
                             f"{' or '.join(sorted(PARTNER_MOVES))}, not {target}.",
                             slug="not-a-partner-move")
        return self.case_service.change_status(
            case_id, target, f"marked {target.value.replace('_', ' ')} by the partner",
            partner, guard=_held_by(partner))

    def contact(self, case_id: str, partner: Principal) -> ClaimResult:
        """How to reach the resident, for the partner holding the open case. A refused
        read is audited too (who tried, and why it was refused), and then raised."""
        with self.sessions.begin() as session:
            case = cases.get(session, case_id)
            if case is None:
                raise not_found(case_id)
            refusal = hold_refusal(case, partner)
            if refusal is None:
                return self._contact(session, case, partner)
            audit.record(session, partner, "contact_read_refused", case_id, CONTACT_FIELDS,
                         refusal.title)
        raise refusal

    @staticmethod
    def _contact(session: Session, case: Case, partner: Principal) -> ClaimResult:
        if case.erased_at is not None:
            return ClaimResult(case=summary(case), contact=None,
                               contact_withheld_reason="the resident's details were erased")
        if not case.share_with_partners:
            return ClaimResult(case=summary(case), contact=None,
                               contact_withheld_reason="the resident did not consent to "
                               "sharing; the council will contact them")
        person = cases.personal(session, case.id)
        audit.record(session, partner, "release_contact_to_partner", case.id,
                     CONTACT_FIELDS, "partner claim, resident consented")
        found = contact_of(person)
        if found is not None:
            found = found.model_copy(update={"date_of_birth": None})  # not needed to help
        return ClaimResult(case=summary(case), contact=found)


def _held_by(partner: Principal) -> Callable[[Session, Case], None]:
    """A guard for ``CaseService.change_status``: checked with the case locked, in the
    change's own transaction, so a claim released meanwhile cannot slip through."""
    def holds(_session: Session, case: Case) -> None:
        refusal = hold_refusal(case, partner)
        if refusal is not None:
            raise refusal
    return holds
