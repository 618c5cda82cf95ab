"""Staff make, re-point and retire printed codes; every change is kept and published."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from civic.contracts.qr import SLUG_PATTERN
from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES
from qr_events.codes.schemas import (
    CodeIn,
    CodeOut,
    CodePage,
    DestinationChangeIn,
    HistoryOut,
    RetireIn,
)
from qr_events.dependencies import Codes

router = APIRouter(prefix="/v1/codes", tags=["codes"], responses=PROBLEM_RESPONSES)
Staff = Annotated[Principal, Depends(require(Role.STAFF))]


@router.post("", status_code=201, response_model=CodeOut, responses={
    422: {"description": "A field is wrong: the destination is off the allow-list, the "
          "ward unknown, or the validity window backwards; the detail names it"}})
def create_code(body: CodeIn, staff: Staff, codes: Codes) -> CodeOut:
    """Make a code for one print run. A code identifies a touchpoint, never a person, so
    there is no field for a resident."""
    return codes.create(body, staff)


@router.get("", response_model=CodePage)
def list_codes(_staff: Staff, codes: Codes,
               campaign: Annotated[str | None, Query(pattern=SLUG_PATTERN)] = None,
               after: Annotated[str | None, Query(max_length=8, pattern="^[0-9A-Z]+$")] = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50) -> CodePage:
    """Codes in code order; pass the last code of a page as ``after`` for the next."""
    items = codes.page(campaign=campaign, after=after, limit=limit)
    return CodePage(items=items, next_cursor=items[-1].code if len(items) == limit else None)


@router.get("/{code}", response_model=CodeOut)
def get_code(code: str, _staff: Staff, codes: Codes) -> CodeOut:
    return codes.get(code)


@router.post("/{code}/destination", response_model=CodeOut, responses={
    409: {"description": "The code is retired"}})
def change_destination(code: str, body: DestinationChangeIn, staff: Staff, codes: Codes,
                       ) -> CodeOut:
    """Re-point a code without reprinting it: now, or at ``switch_at``. Every worker
    serves the change within a second."""
    return codes.change_destination(code, body, staff)


@router.post("/{code}/retire", response_model=CodeOut, responses={
    409: {"description": "The code is already retired"}})
def retire_code(code: str, body: RetireIn, staff: Staff, codes: Codes,
                ) -> CodeOut:
    """Retire a code; scans then land on a page naming the replacement, if any."""
    return codes.retire(code, body, staff)


@router.get("/{code}/history", response_model=HistoryOut)
def code_history(code: str, _staff: Staff, codes: Codes) -> HistoryOut:
    """Every change of the code: who (the API key's name), when and what."""
    return codes.history(code)
