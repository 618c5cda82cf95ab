"""Wires partner notifications together: settings -> database -> services -> HTTP.

The skeleton (problems, limits, metrics, health, broker, topics) is civic's; this file
adds the service's routers, its container and its lifespan work: the outbox relay that
publishes the partner directory. The service is being built (see its README): its
delivery core (``delivery/``) is used by tests, not yet by a running worker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio.to_thread
from fastapi import FastAPI

from civic.db import ServiceDatabase
from civic.http.app import Broker, create_service_app
from civic.http.auth import ApiKeyStore
from civic.publishing import Publishing
from partner_notifications import IDENTITY
from partner_notifications.database import schema
from partner_notifications.delivery.egress import GuardedBackend
from partner_notifications.delivery.sender import WebhookSender
from partner_notifications.dependencies import Container
from partner_notifications.metrics import PartnerMetrics
from partner_notifications.partners.endpoints import router as partners_router
from partner_notifications.partners.service import PartnerService
from partner_notifications.settings import Settings
from partner_notifications.subscriptions.endpoints import router as subscriptions_router
from partner_notifications.subscriptions.service import SubscriptionService

SHUTDOWN_PUBLISH_S = 5.0


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()  # refuses to exist if production lacks a setting
    database = ServiceDatabase(schema(), settings.database_url)
    database.migrate()
    broker = Broker()
    publishing = Publishing(IDENTITY, database.engine, broker)
    relay = publishing.relay
    api_keys = ApiKeyStore(database.engine)
    sender = WebhookSender(GuardedBackend(str(a) for a in settings.dev_allowed_addresses),
                           connect_timeout_s=settings.connect_timeout_s,
                           total_timeout_s=settings.total_timeout_s)
    container = Container(
        settings=settings, database=database, api_keys=api_keys, relay=relay,
        partners=PartnerService(database.sessions, api_keys, metrics=PartnerMetrics(),
                                on_publish=relay.notify),
        subscriptions=SubscriptionService(
            database.sessions, sender, dev_allowed=frozenset(settings.dev_allowed_addresses),
            secret_overlap=timedelta(hours=settings.secret_overlap_hours),
            max_previous_secrets=settings.max_previous_secrets))

    @asynccontextmanager
    async def lifespan(started: Broker) -> AsyncIterator[None]:
        broker.servers = started.servers
        if settings.run_relay:
            relay.start()
        try:
            yield
        finally:
            if settings.run_relay:
                await anyio.to_thread.run_sync(publishing.publish_what_is_left,
                                               SHUTDOWN_PUBLISH_S)
            relay.stop()
            await sender.close()

    return create_service_app(IDENTITY, settings, container=container, database=database,
                              api_keys=api_keys, lifespan=lifespan,
                              routers=[partners_router, subscriptions_router])
