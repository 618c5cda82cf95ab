"""Wires need scoring together: settings -> policy -> database -> faust stream -> HTTP.

The skeleton (problems, limits, metrics, health, broker, topics) is civic's; this file
adds need scoring's routers, its container and its lifespan work: reading every erasure,
then running the faust stream.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import anyio.to_thread
from fastapi import FastAPI

from civic.db import ServiceDatabase
from civic.http.app import Broker, create_service_app
from civic.reference import geography
from need_scoring import IDENTITY
from need_scoring.areas.endpoints import router as areas_router
from need_scoring.areas.map_endpoints import router as map_router
from need_scoring.case_scores.endpoints import router as scores_router
from need_scoring.database import schema
from need_scoring.dependencies import Container
from need_scoring.metrics import ScoringMetrics
from need_scoring.overrides.commands import record_outcomes
from need_scoring.overrides.endpoints import router as overrides_router
from need_scoring.overrides.service import OverrideRecords
from need_scoring.policy import load_policy
from need_scoring.policy.endpoints import router as policy_router
from need_scoring.settings import Settings
from need_scoring.stream.erasures import erased_case_ids, forget_erased
from need_scoring.stream.faust_app import SCORING_INPUTS, NeedStream
from need_scoring.stream.partitions import copartitioned
from need_scoring.stream.processor import CaseProcessor
from need_scoring.transparency.endpoints import router as transparency_router
from need_scoring.transparency.record import build_record, load_council_words

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    policy = load_policy(settings.policy_file)  # a refused policy stops the service here
    council_words = load_council_words(settings.transparency_file)
    build_record(policy, settings, council_words, 0, 0)  # an incomplete record stops it too
    database = ServiceDatabase(schema(), settings.database_url)
    database.migrate()
    processor = CaseProcessor(policy, geography())
    decisions = OverrideRecords(database.sessions)
    forget = partial(forget_erased, database.sessions)  # overrides and audit purposes
    processor.overrides = decisions.in_force()
    scoring_metrics = ScoringMetrics.create()
    container = Container(settings=settings, database=database, policy=policy,
                          council_words=council_words)

    @asynccontextmanager
    async def lifespan(broker: Broker) -> AsyncIterator[None]:
        stream: NeedStream | None = None
        try:
            processor.erased = await anyio.to_thread.run_sync(erased_case_ids, broker.servers)
            # Decisions about cases erased while the service was away (or whose deletion
            # failed) go now; they are never applied meanwhile (processor.erased).
            await anyio.to_thread.run_sync(forget, sorted(processor.erased))
            partitions = await anyio.to_thread.run_sync(
                copartitioned, broker.servers, SCORING_INPUTS)  # unequal: no start
            stream = NeedStream(settings, policy, processor, broker.servers, scoring_metrics,
                                partitions)
            stream.on_erased = forget
            stream.batches.on_outcomes = partial(record_outcomes, database.sessions)
            container.stream = stream
            await stream.start()
            log.info("scoring with policy %s as consumer group %s", policy.version,
                     stream.group_id)
            yield
        finally:
            container.stream = None
            if stream is not None:
                await stream.stop()

    return create_service_app(
        IDENTITY, settings, container=container, database=database, lifespan=lifespan,
        topics_before_start=True,  # faust needs its input topics to exist
        routers=[scores_router, overrides_router, policy_router, areas_router, map_router,
                 transparency_router])
