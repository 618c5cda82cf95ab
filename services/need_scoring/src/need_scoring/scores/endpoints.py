"""GET /v1/cases/{case_id}/score: the score with every factor's points and reason."""

from __future__ import annotations

from uuid import UUID

import anyio.to_thread
from fastapi import APIRouter, Depends, Request

from civic.contracts.scoring import CaseScored
from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES
from need_scoring.audit import repository as audit
from need_scoring.scores.service import current_score

router = APIRouter(tags=["scores"])


@router.get("/v1/cases/{case_id}/score", response_model=CaseScored,
            summary="A case's current score, explained", responses=PROBLEM_RESPONSES)
async def get_score(case_id: UUID, request: Request,
                    principal: Principal = Depends(require(Role.STAFF, Role.OPS))
                    ) -> CaseScored:
    scored = current_score(request.app.state.stream, str(case_id))

    def log_read() -> None:
        with request.app.state.sessions.begin() as session:
            audit.record(session, principal, "read_score", str(case_id))

    await anyio.to_thread.run_sync(log_read)
    return scored
