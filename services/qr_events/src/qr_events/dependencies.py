"""How endpoints get what they need: FastAPI dependencies over the container that
``app.py`` builds. Endpoints name these types in their signatures and never reach into
``request.app.state`` themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from civic.db import ServiceDatabase
from civic.http.app import from_container
from civic.http.auth import ApiKeyStore
from civic.outbox import OutboxRelay
from qr_events.codes.service import CodeService
from qr_events.images.service import ImageService
from qr_events.metrics import ScanMetrics
from qr_events.scans.service import ScanService
from qr_events.settings import Settings
from qr_events.stats.service import StatsService


@dataclass
class Container:
    settings: Settings
    database: ServiceDatabase
    api_keys: ApiKeyStore
    relay: OutboxRelay
    codes: CodeService
    images: ImageService
    scans: ScanService
    stats: StatsService
    metrics: ScanMetrics


Codes = Annotated[CodeService, Depends(from_container("codes"))]
Images = Annotated[ImageService, Depends(from_container("images"))]
Scans = Annotated[ScanService, Depends(from_container("scans"))]
Stats = Annotated[StatsService, Depends(from_container("stats"))]
Config = Annotated[Settings, Depends(from_container("settings"))]
