"""How endpoints get what they need: FastAPI dependencies over the container that
``app.py`` builds. Endpoints name these types in their signatures and never reach into
``request.app.state`` themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from case_intake.cases.filing import CaseFiling
from case_intake.cases.service import CaseService
from case_intake.claims.service import ClaimService
from case_intake.open311.service import Open311Service
from case_intake.settings import Settings
from case_intake.staff_sessions.service import StaffSessionService
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
    claims: ClaimService
    open311: Open311Service
    staff_sessions: StaffSessionService


Filing = Annotated[CaseFiling, Depends(from_container("filing"))]
Cases = Annotated[CaseService, Depends(from_container("cases"))]
Claims = Annotated[ClaimService, Depends(from_container("claims"))]
Open311 = Annotated[Open311Service, Depends(from_container("open311"))]
Config = Annotated[Settings, Depends(from_container("settings"))]
StaffSessions = Annotated[StaffSessionService, Depends(from_container("staff_sessions"))]
