"""Wires partner notifications together: settings -> database -> services -> HTTP.

The skeleton (problems, limits, metrics, health, broker, topics) is civic's; this file
adds the service's routers, its container and its lifespan work: the outbox relay (the
partner directory and the delivery log's events), the consumer group that turns events
into deliveries (``deliveries/matching.py``), and the delivery worker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio
import anyio.to_thread
from fastapi import FastAPI

from civic.db import ServiceDatabase
from civic.http.app import Broker, create_service_app
from civic.http.auth import ApiKeyStore
from civic.kafka.background import BackgroundConsumer, waiting_out_database_outages
from civic.publishing import Publishing
from partner_notifications import IDENTITY
from partner_notifications.database import schema
from partner_notifications.deliveries import repository as deliveries_repository
from partner_notifications.deliveries.endpoints import router as deliveries_router
from partner_notifications.deliveries.matching import TOPICS, DeliveryPlanner
from partner_notifications.deliveries.outcomes import OutcomeRecorder
from partner_notifications.deliveries.policy import RetrySchedule
from partner_notifications.deliveries.service import DeliveryLog
from partner_notifications.deliveries.worker import DeliveryWorker
from partner_notifications.dependencies import Container
from partner_notifications.metrics import DeliveryMetrics, PartnerMetrics
from partner_notifications.partners.endpoints import router as partners_router
from partner_notifications.partners.service import PartnerService
from partner_notifications.sending.egress import GuardedBackend
from partner_notifications.sending.sender import WebhookSender
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
    metrics = DeliveryMetrics()
    recorder = OutcomeRecorder(
        database.engine, database.sessions, metrics,
        schedule=RetrySchedule(tuple(settings.retry_schedule_s)),
        disable_after=timedelta(hours=settings.auto_disable_after_hours),
        circuit_threshold=settings.circuit_threshold,
        circuit_cooldown=timedelta(seconds=settings.circuit_cooldown_s),
        circuit_max_cooldown=timedelta(seconds=settings.circuit_max_cooldown_s),
        on_publish=relay.notify)
    worker = DeliveryWorker(database.engine, database.sessions, sender, recorder,
                            per_endpoint=settings.per_endpoint_concurrency,
                            batch=settings.delivery_batch,
                            lease=timedelta(seconds=2 * settings.total_timeout_s + 10),
                            retention=timedelta(days=settings.delivery_log_retention_days))
    metrics.watch(lambda: deliveries_repository.figures(database.sessions))
    intake = settings.intake_base_url.rstrip("/")
    planner = DeliveryPlanner(database.sessions, on_new=worker.notify,
                              claim_url=lambda case: f"{intake}/v1/cases/{case}/claim")
    consumer = BackgroundConsumer(group=settings.consumer_group, topics=TOPICS,
                                  handler=waiting_out_database_outages(planner.handle),
                                  producer=publishing.producer,
                                  metrics=publishing.kafka_metrics,
                                  production=settings.is_production)
    container = Container(
        settings=settings, database=database, api_keys=api_keys, relay=relay,
        partners=PartnerService(database.sessions, api_keys, metrics=PartnerMetrics(),
                                on_publish=relay.notify),
        subscriptions=SubscriptionService(
            database.sessions, sender, dev_allowed=frozenset(settings.dev_allowed_addresses),
            secret_overlap=timedelta(hours=settings.secret_overlap_hours),
            max_previous_secrets=settings.max_previous_secrets),
        deliveries=DeliveryLog(database.sessions, on_requeue=worker.notify), planner=planner,
        worker=worker)

    @asynccontextmanager
    async def lifespan(started: Broker) -> AsyncIterator[None]:
        broker.servers = started.servers
        if settings.run_relay:
            relay.start()
        if settings.run_consumers:
            consumer.start(started.servers)
        try:
            async with anyio.create_task_group() as tasks:
                if settings.run_worker:
                    tasks.start_soon(worker.run)
                try:
                    yield
                finally:
                    consumer.stop()
                    worker.stop()  # attempts in flight finish and are recorded first
        finally:
            if settings.run_relay:
                await anyio.to_thread.run_sync(publishing.publish_what_is_left,
                                               SHUTDOWN_PUBLISH_S)
            relay.stop()
            await sender.close()

    return create_service_app(IDENTITY, settings, container=container, database=database,
                              api_keys=api_keys, lifespan=lifespan,
                              routers=[partners_router, subscriptions_router, deliveries_router])
