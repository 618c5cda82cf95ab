"""How endpoints get what they need: FastAPI dependencies over the container that
``app.py`` builds. Endpoints name these types in their signatures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from civic.http.app import from_container
from partner_notifications.settings import Settings


@dataclass
class Container:
    settings: Settings


Config = Annotated[Settings, Depends(from_container("settings"))]
