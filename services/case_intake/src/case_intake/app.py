"""Wires case intake together: settings -> database -> services -> HTTP.

The skeleton (problems, limits, metrics, health, broker, topics) is civic's; this file
adds case intake's routers, its container and its lifespan work: the group-commit
writer, the outbox relay, the reader that keeps the partner directory (partner keys
and their coverage, issued by partner notifications) current in every worker, and the
consumer group that keeps each case's score (the staff queue's order) from cases.scored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from case_intake import IDENTITY
from case_intake.case_page.band_overrides import BandOverrides
from case_intake.case_page.endpoints import router as case_page_router
from case_intake.case_page.service import CasePage
from case_intake.cases.endpoints import router as cases_router
from case_intake.cases.filing import CaseFiling
from case_intake.cases.placing import CasePlacing
from case_intake.cases.placing_endpoints import router as placing_router
from case_intake.cases.service import CaseService
from case_intake.claims.endpoints import router as claims_router
from case_intake.claims.service import ClaimService
from case_intake.database import schema
from case_intake.dependencies import Container
from case_intake.form.endpoints import router as form_router
from case_intake.idempotency.sealing import IdempotencyKeys
from case_intake.location.resolver import LocationResolver
from case_intake.metrics import IntakeMetrics
from case_intake.open311.endpoints import router as open311_router
from case_intake.open311.service import Open311Service
from case_intake.partner_board.endpoints import router as partner_board_router
from case_intake.partner_board.service import PartnerBoard
from case_intake.partner_board.sign_in_endpoints import router as partner_sign_in_router
from case_intake.residents.pseudonym import Pseudonymiser
from case_intake.scores.service import TOPICS as SCORE_TOPICS
from case_intake.scores.service import ScoreReadModel
from case_intake.settings import Settings
from case_intake.staff_queue.endpoints import router as queue_router
from case_intake.staff_queue.service import StaffQueue
from case_intake.staff_sessions.service import StaffSessionService
from civic.db import ServiceDatabase
from civic.http.app import Broker, create_service_app
from civic.http.auth import ApiKeyStore, Role
from civic.http.directory import PartnerDirectory
from civic.kafka.background import BackgroundConsumer, waiting_out_database_outages
from civic.process import tune_gc_for_server
from civic.publishing import Publishing
from civic.reference import geography


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()  # refuses to exist if production lacks a secret
    database = ServiceDatabase(schema(), settings.database_url)
    database.migrate()
    broker = Broker()
    publishing = Publishing(IDENTITY, database.engine, broker)
    relay = publishing.relay
    metrics = IntakeMetrics()
    filing = CaseFiling(database.engine, LocationResolver(geography()),
                        Pseudonymiser(settings.pseudonym_secret.get_secret_value()), metrics,
                        timedelta(days=settings.contact_lookback_days), on_publish=relay.notify,
                        idempotency_keys=IdempotencyKeys(
                            settings.pseudonym_secret.get_secret_value(),
                            timedelta(seconds=settings.idempotency_ttl_s)))
    cases = CaseService(database.engine, database.sessions, metrics, on_publish=relay.notify)
    directory = PartnerDirectory()
    scores = BackgroundConsumer(
        group=settings.consumer_group, topics=SCORE_TOPICS,
        handler=waiting_out_database_outages(
            ScoreReadModel(database.engine, database.sessions).handle),
        producer=publishing.producer, metrics=publishing.kafka_metrics,
        production=settings.is_production)
    api_keys = ApiKeyStore(database.engine, directory=directory)
    claims = ClaimService(database.sessions, cases, claim_cap=settings.partner_claim_cap)

    def sessions_for(role: Role) -> StaffSessionService:
        # one table, secret and set of timeouts for every role's sign-ins
        return StaffSessionService(
            database.engine, database.sessions, api_keys,
            secret=settings.session_secret.get_secret_value(),
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_absolute_hours), role=role)

    container = Container(
        settings=settings, database=database, api_keys=api_keys, relay=relay, filing=filing,
        cases=cases, claims=claims,
        placing=CasePlacing(database.engine, database.sessions, metrics, geography(),
                            on_publish=relay.notify),
        open311=Open311Service(database.sessions, filing, api_keys,
                               agency=settings.council_name,
                               terms_version=settings.terms_version),
        staff_sessions=sessions_for(Role.STAFF),
        staff_queue=StaffQueue(database.sessions),
        partner_sessions=sessions_for(Role.PARTNER),
        partner_board=PartnerBoard(database.sessions, claims),
        case_page=CasePage(database.engine, database.sessions, cases),
        band_overrides=BandOverrides(
            settings.need_scoring_url, settings.need_scoring_api_key.get_secret_value()
            if settings.need_scoring_api_key else None))

    @asynccontextmanager
    async def lifespan(started: Broker) -> AsyncIterator[None]:
        broker.servers = started.servers
        if settings.tune_gc:
            tune_gc_for_server()
        filing.writer.start()
        if settings.run_relay:
            relay.start()
        reader = directory.reader(started.servers, IDENTITY.client_id)
        if settings.run_consumers:
            reader.start()
            scores.start(started.servers)
        try:
            yield
        finally:
            scores.stop()
            reader.stop()
            relay.stop()
            filing.writer.stop()

    return create_service_app(
        IDENTITY, settings, container=container, database=database,
        api_keys=container.api_keys, lifespan=lifespan,
        routers=[cases_router, placing_router, claims_router, open311_router, form_router,
                 queue_router, partner_sign_in_router, partner_board_router,
                 case_page_router],
        static=("/static", Path(__file__).parent / "form" / "static"))
