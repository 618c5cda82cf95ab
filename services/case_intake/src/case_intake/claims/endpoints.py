"""Partner claims: take a triaged case, read how to reach the resident, hand it back."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from case_intake.cases.schemas import ErasureIn as ReasonIn
from case_intake.claims.schemas import ClaimResult
from case_intake.dependencies import Claims
from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/v1/cases", tags=["partner claims"], responses=PROBLEM_RESPONSES)
Partner = Annotated[Principal, Depends(require(Role.PARTNER))]


@router.post("/{case_id}/claim", response_model=ClaimResult, responses={
    403: {"description": "The case is outside the key's coverage (ward or categories), "
          "the key has no coverage, or the case is not triaged; the detail says which"},
    409: {"description": "Another partner holds the case"},
    429: {"description": "The partner holds as many open cases as it may; see Retry-After"}})
def claim(case_id: UUID, partner: Partner, claims: Claims) -> ClaimResult:
    """Take a triaged case in the key's coverage: its ward is one of the key's wards and
    at least one of its categories is one of the key's. Contact details come back only
    if the resident consented."""
    return claims.claim(str(case_id), partner)


@router.get("/{case_id}/contact", response_model=ClaimResult, responses={
    403: {"description": "The key does not hold the case, or the case is no longer claimed "
          "or in progress; the refusal is audited"}})
def contact(case_id: UUID, partner: Partner, claims: Claims) -> ClaimResult:
    """The holding partner's view of how to reach the resident, while the case is claimed
    or in progress. Every read, and every refused read, is audited."""
    return claims.contact(str(case_id), partner)


@router.post("/{case_id}/release", response_model=ClaimResult, responses={
    403: {"description": "The key does not hold the case"}})
def release(case_id: UUID, body: ReasonIn, partner: Partner, claims: Claims) -> ClaimResult:
    """Hand a claimed case back to the council's pool."""
    return claims.release(str(case_id), partner, body.reason)
