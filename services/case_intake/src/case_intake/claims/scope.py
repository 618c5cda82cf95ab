"""Which cases a partner may claim, and when it holds one: the rules, without queries.

A partner may claim a case only while the case is triaged and inside the partner's
coverage: the case's ward is one of the partner's wards, and at least one of the case's
categories is one the partner serves (any one is enough: a food bank can take a case
about food and money, and the council still sees the rest). A case without a ward (not
placed) is outside every partner's coverage. A partner key without coverage covers
nothing.

A partner holds a case while it has claimed it and the case is open, that is claimed or
in progress. Only then may it read the resident's contact details or release it.
"""

from __future__ import annotations

from case_intake.cases.models import Case
from civic.contracts.common import OPEN_STATUSES, CaseStatus
from civic.errors import Conflict, NotAllowed
from civic.http.auth import Principal

HELD_STATUSES = frozenset({CaseStatus.CLAIMED, CaseStatus.IN_PROGRESS})
assert HELD_STATUSES <= OPEN_STATUSES


def _refused(title: str, detail: str, slug: str) -> NotAllowed:
    return NotAllowed(title, detail, slug=slug)


def coverage_refusal(case: Case, partner: Principal) -> NotAllowed | None:
    """Why this case is outside the partner's coverage, or None if it is inside."""
    coverage = partner.coverage
    if coverage is None:
        return _refused("No coverage set", "This partner key has no coverage, so it covers "
                        "no case; ask the council's ops team to set its wards and categories.",
                        "no-coverage")
    if not coverage.covers_ward(case.ward_code):
        return _refused("Ward outside your coverage",
                        "This case is not placed in a ward your key covers."
                        if case.ward_code else "This case is not placed in a ward yet, so "
                        "no partner covers it.", "ward-outside-coverage")
    if not coverage.serves_any(case.categories):
        return _refused("Categories outside your coverage",
                        "None of this case's categories is one your key covers.",
                        "categories-outside-coverage")
    return None


def check_claim(case: Case, partner: Principal) -> None:
    """Raise unless this partner may claim this case now: 403 outside its coverage, 409
    if another partner holds it, 403 unless it is triaged."""
    refusal = coverage_refusal(case, partner)
    if refusal is not None:
        raise refusal
    if case.claimed_by not in (None, partner.name) and case.status in HELD_STATUSES:
        raise Conflict("Already claimed", "Another partner holds this case.",
                       slug="already-claimed")
    if case.status != CaseStatus.TRIAGED:
        raise _refused("Not triaged", f"This case is {case.status}; only a triaged case "
                       "can be claimed.", "not-triaged")


def hold_refusal(case: Case, partner: Principal) -> NotAllowed | None:
    """Why this partner does not hold this case now, or None if it does."""
    if case.claimed_by != partner.name:
        return _refused("Not your case", "Only the partner holding the claim can do this.",
                        "not-claim-holder")
    if case.status not in HELD_STATUSES:
        return _refused("Claim no longer open", f"This case is {case.status}; a partner "
                        "holds a case only while it is claimed or in progress.",
                        "claim-not-open")
    return None
