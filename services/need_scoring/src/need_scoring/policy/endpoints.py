"""GET /v1/policy: the active policy in full, exactly as it scores. Public on purpose."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from need_scoring.dependencies import ActivePolicy

router = APIRouter(tags=["transparency"])


@router.get("/v1/policy", summary="The active scoring policy, in full")
def get_policy(policy: ActivePolicy) -> dict[str, Any]:
    return {**policy.model_dump(mode="json"), "max_score": policy.max_score}
