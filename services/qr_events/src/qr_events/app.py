"""Wires QR events together: settings -> database -> services -> HTTP.

The skeleton (problems, limits, metrics, health, broker, topics) is civic's; this file
adds QR events' routers, its container and its lifespan work: the code view (filled
from the database, then kept current from ``qr.codes``), the scan writer, the outbox
relay, and the consumer group (conversions from ``cases.submitted``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI

from civic.db import ServiceDatabase
from civic.http.app import Broker, create_service_app
from civic.http.auth import ApiKeyStore
from civic.process import tune_gc_for_server
from civic.publishing import Publishing
from civic.reference import geography
from qr_events import IDENTITY
from qr_events.codes.destinations import Destinations
from qr_events.codes.endpoints import router as codes_router
from qr_events.codes.links import ShortLinks
from qr_events.codes.service import CodeService
from qr_events.codes.view import CodeView
from qr_events.consumers import Consumers
from qr_events.conversions.service import ConversionService
from qr_events.database import schema
from qr_events.dependencies import Container
from qr_events.images.endpoints import router as images_router
from qr_events.images.service import ImageService
from qr_events.metrics import ScanMetrics
from qr_events.scans.buffer import ScanBuffer
from qr_events.scans.endpoints import router as scans_router
from qr_events.scans.fast_path import ShortLinkFastPath
from qr_events.scans.service import HelpDetails, ScanService
from qr_events.scans.writing import ScanWriter
from qr_events.settings import Settings
from qr_events.stats.endpoints import router as stats_router
from qr_events.stats.service import StatsService

SHUTDOWN_PUBLISH_S = 5.0


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()  # refuses to exist if production lacks a setting
    database = ServiceDatabase(schema(), settings.database_url)
    database.migrate()
    broker = Broker()
    publishing = Publishing(IDENTITY, database.engine, broker)
    relay = publishing.relay
    metrics = ScanMetrics()
    view = CodeView()
    links = ShortLinks(settings.base_url())
    destinations = Destinations(settings.intake_form_url,
                                tuple(settings.allowed_destination_domains),
                                allow_dev_http=not settings.is_production)
    codes = CodeService(database.sessions, destinations, links, view,
                        set(geography().wards), code_length=settings.code_length,
                        on_publish=relay.notify)
    buffer = ScanBuffer(settings.scan_buffer_max)
    writer = ScanWriter(database.engine, database.sessions, buffer, metrics,
                        interval_s=settings.scan_flush_interval_s,
                        repeat_window=timedelta(seconds=settings.repeat_window_s),
                        retention=timedelta(days=settings.scan_retention_days),
                        on_publish=relay.notify)
    metrics.watch(unsaved=lambda: buffer.unsaved, cache_age=view.age_s,
                  codes=lambda: len(view))
    container = Container(
        settings=settings, database=database, api_keys=ApiKeyStore(database.engine),
        relay=relay, codes=codes, metrics=metrics,
        images=ImageService(codes, links, council_name=settings.council_name),
        scans=ScanService(view, buffer, links, HelpDetails(
            settings.intake_form_url, settings.council_name, settings.helpline_phone), metrics),
        stats=StatsService(database.sessions))
    consumers = Consumers(IDENTITY.client_id, view,
                          ConversionService(database.sessions, metrics),
                          publishing.producer, publishing.kafka_metrics,
                          group=settings.consumer_group, production=settings.is_production)

    @asynccontextmanager
    async def lifespan(started: Broker) -> AsyncIterator[None]:
        broker.servers = started.servers
        codes.load_view()  # before the first redirect: the database is the start
        if settings.tune_gc:
            tune_gc_for_server()
        writer.start()
        if settings.run_relay:
            relay.start()
        if settings.run_consumers:
            consumers.start(started.servers)
        try:
            yield
        finally:
            consumers.stop()
            writer.stop()  # writes what is buffered before the relay stops
            if settings.run_relay:
                await anyio.to_thread.run_sync(publishing.publish_what_is_left,
                                               SHUTDOWN_PUBLISH_S)
            relay.stop()

    app = create_service_app(
        IDENTITY, settings, container=container, database=database,
        api_keys=container.api_keys, lifespan=lifespan,
        # images first: "/v1/codes/{code}" would otherwise take "ABC.svg" as a code
        routers=[scans_router, images_router, codes_router, stats_router],
        static=("/static", Path(__file__).parent / "scans" / "static"))
    if settings.fast_path:
        app.add_middleware(ShortLinkFastPath, scans=container.scans)
    return app
