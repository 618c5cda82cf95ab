"""Staff override a case's band. The score itself never changes: it stays what the
published policy gives; the band that orders work is the human's call."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header

from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES
from need_scoring.case_scores.schemas import ScoreOut
from need_scoring.dependencies import Config, Overrides
from need_scoring.overrides.delegation import ACTOR_ID_PATTERN, HEADER, acting_principal
from need_scoring.overrides.schemas import OverrideBandIn, OverrideDecisionOut

router = APIRouter(prefix="/v1/cases", tags=["overrides"], responses=PROBLEM_RESPONSES)


@router.post("/{case_id}/band-override", status_code=201, response_model=ScoreOut,
             summary="Override a case's band, with a reason")
async def post_override(case_id: UUID, body: OverrideBandIn,
                        principal: Annotated[Principal, Depends(require(Role.STAFF))],
                        overrides: Overrides, settings: Config,
                        acting_for: Annotated[str | None, Header(
                            alias=HEADER, pattern=ACTOR_ID_PATTERN, description=(
                                "The member of staff whose decision this is, when a "
                                "delegating caller (case intake's pages) relays it."))]
                        = None) -> ScoreOut:
    actor, via = acting_principal(principal, acting_for, settings.delegating_callers)
    return await overrides.override_band(str(case_id), body, actor, via)


@router.get("/{case_id}/band-overrides", response_model=list[OverrideDecisionOut],
            summary="Every band override of a case, oldest first")
async def list_overrides(case_id: UUID,
                         principal: Annotated[Principal,
                                              Depends(require(Role.STAFF, Role.OPS))],
                         overrides: Overrides) -> list[OverrideDecisionOut]:
    """Each read is audited: the reasons describe the resident's situation."""
    return await overrides.decisions(str(case_id), principal)
