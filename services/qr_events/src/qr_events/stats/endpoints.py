"""Scan figures per code and per campaign, for staff."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES
from qr_events.dependencies import Stats
from qr_events.stats.schemas import CampaignStatsOut, CodeStatsOut

router = APIRouter(prefix="/v1", tags=["statistics"], responses=PROBLEM_RESPONSES)
Staff = Annotated[Principal, Depends(require(Role.STAFF))]
From = Annotated[date | None, Query(alias="from", description="First day (UTC); default "
                                    "27 days before `to`.")]
To = Annotated[date | None, Query(alias="to", description="Last day (UTC); default today.")]


@router.get("/codes/{code}/stats", response_model=CodeStatsOut)
def code_stats(code: str, _staff: Staff, stats: Stats, first: From = None,
               last: To = None) -> CodeStatsOut:
    """Scans by day, bots apart, scanned versus typed, and the cases filed from the code."""
    return stats.code(code, first, last)


@router.get("/campaigns/{campaign}/stats", response_model=CampaignStatsOut)
def campaign_stats(campaign: str, _staff: Staff, stats: Stats, first: From = None,
                   last: To = None) -> CampaignStatsOut:
    """The same figures across a campaign's codes, by day, touchpoint, ward and code."""
    return stats.campaign(campaign, first, last)
