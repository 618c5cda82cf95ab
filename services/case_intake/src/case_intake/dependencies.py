"""How endpoints get what they need: FastAPI dependencies over the container that
``app.py`` builds. Endpoints name these types in their signatures and never reach into
``request.app.state`` themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from case_intake.case_page.band_overrides import BandOverrides
from case_intake.case_page.service import CasePage
from case_intake.cases.filing import CaseFiling
from case_intake.cases.placing import CasePlacing
from case_intake.cases.service import CaseService
from case_intake.claims.service import ClaimService
from case_intake.form.staff_web import PARTNER_SESSION_COOKIE, REFRESH_HEADER, SESSION_COOKIE
from case_intake.open311.service import Open311Service
from case_intake.partner_board.service import PartnerBoard
from case_intake.settings import Settings
from case_intake.staff_queue.service import StaffQueue
from case_intake.staff_sessions.service import SessionCheck, StaffSessionService
from civic.db import ServiceDatabase
from civic.http.app import from_container
from civic.http.auth import ApiKeyStore
from civic.outbox import OutboxRelay


@dataclass
class Container:
    settings: Settings
    database: ServiceDatabase
    api_keys: ApiKeyStore
    relay: OutboxRelay
    filing: CaseFiling
    cases: CaseService
    placing: CasePlacing
    claims: ClaimService
    open311: Open311Service
    staff_sessions: StaffSessionService
    staff_queue: StaffQueue
    partner_sessions: StaffSessionService  # the same sessions, for partner keys
    partner_board: PartnerBoard
    case_page: CasePage
    band_overrides: BandOverrides


Filing = Annotated[CaseFiling, Depends(from_container("filing"))]
Cases = Annotated[CaseService, Depends(from_container("cases"))]
Placing = Annotated[CasePlacing, Depends(from_container("placing"))]
Claims = Annotated[ClaimService, Depends(from_container("claims"))]
Open311 = Annotated[Open311Service, Depends(from_container("open311"))]
Config = Annotated[Settings, Depends(from_container("settings"))]
StaffSessions = Annotated[StaffSessionService, Depends(from_container("staff_sessions"))]
Queue = Annotated[StaffQueue, Depends(from_container("staff_queue"))]
PartnerSessions = Annotated[StaffSessionService, Depends(from_container("partner_sessions"))]
Board = Annotated[PartnerBoard, Depends(from_container("partner_board"))]
CasePages = Annotated[CasePage, Depends(from_container("case_page"))]
BandOverriding = Annotated[BandOverrides, Depends(from_container("band_overrides"))]


def _by_a_person(request: Request) -> bool:
    """False for a page refreshing itself (form/static/live.js): not activity."""
    return request.headers.get(REFRESH_HEADER) != "1"


def _staff_check(request: Request, sessions: StaffSessions) -> SessionCheck:
    """The staff session the cookie names. A plain function, so FastAPI runs it in a
    worker thread: it reads (and touches) the session in the database."""
    return sessions.check(request.cookies.get(SESSION_COOKIE), touch=_by_a_person(request))


StaffCheck = Annotated[SessionCheck, Depends(_staff_check)]


def _partner_check(request: Request, sessions: PartnerSessions) -> SessionCheck:
    """The partner session the cookie names; a plain function, as ``_staff_check``."""
    return sessions.check(request.cookies.get(PARTNER_SESSION_COOKIE),
                          touch=_by_a_person(request))


PartnerCheck = Annotated[SessionCheck, Depends(_partner_check)]
