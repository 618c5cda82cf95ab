"""Staff override a case's band. The score itself never changes: it stays what the
published policy gives; the band that orders work is the human's call."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from civic.contracts.common import Band
from civic.contracts.scoring import CaseScored
from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES, Problem
from need_scoring.overrides import repository
from need_scoring.overrides.schemas import BandOverrideRequest
from need_scoring.overrides.service import override_band
from need_scoring.stream.records import CaseRecord

router = APIRouter(tags=["overrides"])


class BandOverrideRecord(BaseModel):
    band: Band
    computed_band: Band
    policy_version: str
    reason: str
    overridden_by: str
    overridden_at: datetime


@router.post("/v1/cases/{case_id}/band-override", status_code=201, response_model=CaseScored,
             summary="Override a case's band, with a reason", responses=PROBLEM_RESPONSES)
async def post_override(case_id: UUID, body: BandOverrideRequest, request: Request,
                        principal: Principal = Depends(require(Role.STAFF))) -> CaseScored:
    return await override_band(request.app.state.stream, request.app.state.sessions,
                               str(case_id), body, principal)


@router.get("/v1/cases/{case_id}/band-overrides", response_model=list[BandOverrideRecord],
            summary="Every band override of a case, oldest first",
            responses=PROBLEM_RESPONSES)
async def list_overrides(case_id: UUID, request: Request,
                         _principal: Principal = Depends(require(Role.STAFF, Role.OPS))
                         ) -> list[BandOverrideRecord]:
    if CaseRecord.from_json(request.app.state.stream.cases.get(str(case_id))).erased:
        raise Problem(410, "Erased", "This case was erased, and its overrides with it.",
                      slug="erased")

    def load() -> list[BandOverrideRecord]:
        with request.app.state.sessions() as session:
            return [BandOverrideRecord.model_validate(row, from_attributes=True)
                    for row in repository.for_case(session, str(case_id))]
    return await anyio.to_thread.run_sync(load)
