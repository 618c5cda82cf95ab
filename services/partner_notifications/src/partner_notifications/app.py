"""Wires partner notifications together: settings -> services -> HTTP.

The skeleton (problems, limits, metrics, health, broker, topics) is civic's. The service
is being built (see its README): so far it has no routers of its own, and its delivery
core (``delivery/``) is used by tests, not yet by a running worker.
"""

from __future__ import annotations

from fastapi import FastAPI

from civic.http.app import create_service_app
from partner_notifications import IDENTITY
from partner_notifications.dependencies import Container
from partner_notifications.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()  # refuses to exist if production lacks a setting
    return create_service_app(IDENTITY, settings, container=Container(settings=settings),
                              routers=[])
