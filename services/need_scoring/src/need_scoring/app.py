"""Wires need scoring together: settings -> policy -> faust stream -> HTTP."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI

from civic.contracts.scoring import BandOverride
from civic.db import make_engine
from civic.http import health, metrics, problems
from civic.http.auth import ApiKeyStore
from civic.http.limits import BodySizeLimit
from civic.kafka.bootstrap import resolve_broker
from civic.kafka.topics import TopicRegistry
from civic.reference import geography
from need_scoring.areas.endpoints import router as areas_router
from need_scoring.areas.map_endpoints import router as map_router
from need_scoring.database import migrate, session_factory
from need_scoring.metrics import SERVICE, ScoringMetrics
from need_scoring.overrides import repository as overrides_repository
from need_scoring.overrides.endpoints import router as overrides_router
from need_scoring.overrides.models import BandOverrideRow
from need_scoring.policy import load_policy
from need_scoring.policy.endpoints import router as policy_router
from need_scoring.scores.endpoints import router as scores_router
from need_scoring.settings import Settings
from need_scoring.stream.app import NeedStream
from need_scoring.stream.erasures import erased_case_ids
from need_scoring.stream.processor import CaseProcessor
from need_scoring.transparency.endpoints import router as transparency_router
from need_scoring.transparency.record import build_record, load_council_words

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    policy = load_policy(settings.policy_file)  # a refused policy stops the service here
    council_words = load_council_words(settings.transparency_file)
    build_record(policy, settings, council_words, 0, 0)  # an incomplete record stops it too
    engine = make_engine(settings.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    processor = CaseProcessor(policy, geography())
    with sessions() as session:
        processor.overrides = {row.case_id: _override_json(row)
                               for row in overrides_repository.latest_per_case(session)}
    scoring_metrics = ScoringMetrics.create()

    def forget_erased(case_ids: list[str]) -> None:
        with sessions.begin() as session:
            overrides_repository.delete_for_cases(session, case_ids)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        servers, embedded = resolve_broker(settings)
        if embedded is None and settings.apply_topics:
            TopicRegistry.load().apply(servers)  # faust needs its input topics to exist
        stream: NeedStream | None = None
        try:
            processor.erased = await anyio.to_thread.run_sync(erased_case_ids, servers)
            stream = NeedStream(settings, policy, processor, servers, scoring_metrics)
            stream.on_erased = forget_erased
            app.state.stream = stream
            app.state.broker_servers = servers
            await stream.start()
            log.info("scoring with policy %s as consumer group %s", policy.version,
                     stream.group_id)
            yield
        finally:
            if stream is not None:
                await stream.stop()
            if embedded is not None:
                embedded.stop()
            engine.dispose()

    app = FastAPI(
        title="Need scoring",
        version="0.1.0",
        summary="Explainable need scores, area need and the heat map.",
        description="Scores every case on `cases.submitted` under a published policy, with "
        "every factor's points and reason, and publishes `cases.scored`; aggregates open "
        "need per ward and small area with small-number suppression and publishes "
        "`areas.need`. The score only orders work: it never closes or denies a case.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.council_words = council_words
    app.state.sessions = sessions
    app.state.api_keys = ApiKeyStore(engine)
    problems.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    metrics.install(app, SERVICE)
    health.install(app, {"database": health.database_check(engine),
                         "broker": lambda: health.broker_check(app.state.broker_servers)()})
    app.include_router(scores_router)
    app.include_router(overrides_router)
    app.include_router(policy_router)
    app.include_router(areas_router)
    app.include_router(map_router)
    app.include_router(transparency_router)
    return app


def _override_json(row: BandOverrideRow) -> dict[str, Any]:
    return BandOverride(band=row.band, overridden_by=row.overridden_by,
                        overridden_at=row.overridden_at, reason=row.reason
                        ).model_dump(mode="json")
