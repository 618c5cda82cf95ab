"""GET /v1/cases/{case_id}/score: the score with every factor's points and reason, and
the reason for any staff override."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES
from need_scoring.case_scores.schemas import ScoreOut
from need_scoring.dependencies import CaseScores

router = APIRouter(prefix="/v1/cases", tags=["scores"], responses=PROBLEM_RESPONSES)


@router.get("/{case_id}/score", response_model=ScoreOut,
            summary="A case's current score, explained")
async def get_score(case_id: UUID,
                    principal: Annotated[Principal, Depends(require(Role.STAFF, Role.OPS))],
                    scores: CaseScores) -> ScoreOut:
    return await scores.read_score(str(case_id), principal)
