"""How endpoints get what they need: FastAPI dependencies over the container that
``app.py`` builds. Endpoints name these types in their signatures and never reach into
``request.app.state`` themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from case_intake.cases.filing import CaseFiling
from case_intake.cases.service import CaseService
from case_intake.claims.service import ClaimService
from case_intake.open311.service import Open311Service
from case_intake.settings import Settings
from civic.db import ServiceDatabase
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


def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


def _filing(request: Request) -> CaseFiling:
    return container(request).filing


def _cases(request: Request) -> CaseService:
    return container(request).cases


def _claims(request: Request) -> ClaimService:
    return container(request).claims


def _open311(request: Request) -> Open311Service:
    return container(request).open311


def _settings(request: Request) -> Settings:
    return container(request).settings


def _api_keys(request: Request) -> ApiKeyStore:
    return container(request).api_keys


Filing = Annotated[CaseFiling, Depends(_filing)]
Cases = Annotated[CaseService, Depends(_cases)]
Claims = Annotated[ClaimService, Depends(_claims)]
Open311 = Annotated[Open311Service, Depends(_open311)]
Config = Annotated[Settings, Depends(_settings)]
ApiKeys = Annotated[ApiKeyStore, Depends(_api_keys)]
