"""The partner pages' domain: which cases a signed-in partner may claim, in need order,
and the cases it holds. Claims, releases and status moves are ``ClaimService``'s, so
the pages keep every rule (coverage, cap, consent, audit) the API has.

The board shows no personal data: reference, ward, kinds of help, band and the scoring
policy's reasons. Contact details are read only for cases the partner holds, through
``ClaimService.contact``, which audits each read: a page view of held cases writes one
audit row per case whose details it shows. Reads of personal data are audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from case_intake.cases.models import Case
from case_intake.cases.schemas import CaseSummary, reference
from case_intake.claims.schemas import ClaimResult
from case_intake.claims.scope import HELD_STATUSES
from case_intake.claims.service import ClaimService
from case_intake.partner_board import repository
from case_intake.partner_board.schemas import BoardPage, BoardRow, HeldCase
from case_intake.scores.models import CaseScore
from case_intake.scores.paging import Position, one_page
from civic.contracts.common import CaseStatus, Category
from civic.errors import NotAllowed
from civic.http.auth import Principal

PAGE_SIZE = 50
KNOWN_CATEGORIES = frozenset(c.value for c in Category)


class PartnerBoard:
    def __init__(self, sessions: sessionmaker[Session], claims: ClaimService,
                 page_size: int = PAGE_SIZE,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.sessions = sessions
        self.claims = claims
        self.page_size = page_size
        self.clock = clock

    def page(self, partner: Principal, after: Position | None = None) -> BoardPage:
        """The partner's page of claimable cases, starting just after ``after``."""
        coverage = partner.coverage
        if coverage is None:
            return BoardPage(rows=[], next_position=None, covered=False)
        # only known slugs reach the query, which matches each inside the JSON's text
        categories = sorted(coverage.categories & KNOWN_CATEGORIES)
        if not coverage.wards or not categories:
            return BoardPage(rows=[], next_position=None)
        size = self.page_size
        with self.sessions() as session:
            found = repository.claimable(session, wards=sorted(coverage.wards),
                                         categories=categories, after=after, limit=size + 1)
        shown, next_position = one_page(found, size)
        return BoardPage(rows=[_row(case, score) for case, score in shown],
                         next_position=next_position)

    def claim(self, case_id: str, partner: Principal) -> None:
        """Claim the case; its contact details are read where they are shown."""
        self.claims.take(case_id, partner)

    def held(self, partner: Principal) -> list[HeldCase]:
        """The cases this partner holds, each with the contact details it may see (an
        audited read) or why they are withheld. At most the partner's claim cap."""
        with self.sessions() as session:
            ids = repository.held(session, partner.name, [s.value for s in HELD_STATUSES])
        cases = []
        for case_id in ids:
            try:
                result = self.claims.contact(case_id, partner)
            except NotAllowed:
                continue  # released, finished or taken back since the list was read
            cases.append(_held(result))
        return cases

    def release(self, case_id: str, partner: Principal, reason: str) -> ClaimResult:
        return self.claims.release(case_id, partner, reason)

    def progress(self, case_id: str, partner: Principal, target: CaseStatus) -> CaseSummary:
        return self.claims.progress(case_id, partner, target)


def _row(case: Case, score: CaseScore) -> BoardRow:
    return BoardRow(case_id=case.id, reference=reference(case.id), opened_at=case.created_at,
                    ward_code=case.ward_code or "", categories=list(case.categories),
                    band=score.band, score=score.score, reasons=list(score.reasons or []))


def _held(result: ClaimResult) -> HeldCase:
    case = result.case
    return HeldCase(case_id=str(case.id), reference=reference(str(case.id)),
                    opened_at=case.created_at, ward_code=case.ward_code,
                    categories=[c.value for c in case.categories], status=case.status.value,
                    contact=result.contact,
                    contact_withheld_reason=result.contact_withheld_reason)
