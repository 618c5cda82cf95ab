"""GET /v1/policy: the active policy in full, exactly as it scores. Public on purpose."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from civic.http.problems import PROBLEM_RESPONSES
from need_scoring.dependencies import ActivePolicy

router = APIRouter(prefix="/v1", tags=["transparency"], responses=PROBLEM_RESPONSES)


@router.get("/policy", summary="The active scoring policy, in full")
def get_policy(policy: ActivePolicy) -> dict[str, Any]:
    return {**policy.model_dump(mode="json"), "max_score": policy.max_score}
