"""How endpoints get what they need: FastAPI dependencies over the container that
``app.py`` builds. Endpoints name these types in their signatures and never reach into
``request.app.state`` themselves. They are ``async``: a lookup needs no worker thread.

The stream starts in the lifespan, after the broker is known, so services that read
its state are made per request over the running stream; before it runs they answer 503.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from civic.db import ServiceDatabase
from civic.errors import Unavailable
from civic.http.app import from_container
from need_scoring.areas.service import AreaNeedService
from need_scoring.case_scores.service import CaseScoreService
from need_scoring.overrides.service import OverrideService
from need_scoring.policy import Policy
from need_scoring.settings import Settings
from need_scoring.stream.faust_app import NeedStream
from need_scoring.transparency.schemas import CouncilWords


@dataclass
class Container:
    settings: Settings
    database: ServiceDatabase
    policy: Policy
    council_words: CouncilWords
    stream: NeedStream | None = None  # set while the app runs

    def running_stream(self) -> NeedStream:
        if self.stream is None:
            raise Unavailable("Not ready", "The scoring stream is starting; try again in a "
                              "few seconds.", slug="not-ready", retry_after_s=5)
        return self.stream


def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


async def _stream(request: Request) -> NeedStream:
    return container(request).running_stream()


Stream = Annotated[NeedStream, Depends(_stream)]


async def _case_scores(stream: Stream, request: Request) -> CaseScoreService:
    return CaseScoreService(stream, container(request).database.sessions)


async def _overrides(stream: Stream, request: Request) -> OverrideService:
    return OverrideService(stream, container(request).database.sessions)


async def _areas(stream: Stream) -> AreaNeedService:
    return AreaNeedService(stream)


CaseScores = Annotated[CaseScoreService, Depends(_case_scores)]
Overrides = Annotated[OverrideService, Depends(_overrides)]
Areas = Annotated[AreaNeedService, Depends(_areas)]
ActivePolicy = Annotated[Policy, Depends(from_container("policy"))]
Words = Annotated[CouncilWords, Depends(from_container("council_words"))]
Config = Annotated[Settings, Depends(from_container("settings"))]
