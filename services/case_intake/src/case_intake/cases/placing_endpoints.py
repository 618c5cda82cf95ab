"""Placing a case by hand: staff choose its ward, its small area, or both."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from case_intake.cases.schemas import CaseSummary, PlacementIn
from case_intake.dependencies import Placing
from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/v1", tags=["cases"], responses=PROBLEM_RESPONSES)
Staff = Annotated[Principal, Depends(require(Role.STAFF))]


@router.post("/cases/{case_id}/location", response_model=CaseSummary,
             responses={409: {"description": "The case is erased, closed or withdrawn"},
                        422: {"description": "An unknown code, or a small area outside "
                                             "the ward"}})
def place_case(case_id: Annotated[UUID, "case id"], body: PlacementIn, staff: Staff,
               placing: Placing) -> CaseSummary:
    """Place a case whose address could not be placed, or correct its place. The case
    leaves review, and need scoring re-scores it in its new area."""
    return placing.place(str(case_id), ward_code=body.ward_code, lsoa_code=body.lsoa_code,
                         principal=staff)
