"""Staff override a case's band. The score itself never changes: it stays what the
published policy gives; the band that orders work is the human's call."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES
from need_scoring.case_scores.schemas import ScoreOut
from need_scoring.dependencies import Overrides
from need_scoring.overrides.schemas import OverrideBandIn, OverrideDecisionOut

router = APIRouter(prefix="/v1/cases", tags=["overrides"], responses=PROBLEM_RESPONSES)


@router.post("/{case_id}/band-override", status_code=201, response_model=ScoreOut,
             summary="Override a case's band, with a reason")
async def post_override(case_id: UUID, body: OverrideBandIn,
                        principal: Annotated[Principal, Depends(require(Role.STAFF))],
                        overrides: Overrides) -> ScoreOut:
    return await overrides.override_band(str(case_id), body, principal)


@router.get("/{case_id}/band-overrides", response_model=list[OverrideDecisionOut],
            summary="Every band override of a case, oldest first")
async def list_overrides(case_id: UUID,
                         principal: Annotated[Principal,
                                              Depends(require(Role.STAFF, Role.OPS))],
                         overrides: Overrides) -> list[OverrideDecisionOut]:
    """Each read is audited: the reasons describe the resident's situation."""
    return await overrides.decisions(str(case_id), principal)
