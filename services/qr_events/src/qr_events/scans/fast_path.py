"""The short link's fast path: ``GET``/``HEAD /q/{code}`` answered in front of the app,
before FastAPI's routing, dependency solving and the platform's middleware.

Those cost about three times the redirect itself (py-spy under `make bench`: the
endpoint's own work was 9% of the request), and this is the one route that sees
residents at poster scale. The route in ``endpoints.py`` stays: it documents the link
in OpenAPI and answers the same way when the fast path is off
(``QR_EVENTS_FAST_PATH=false``). Latency is in ``civic_qr_events_redirect_seconds``,
since the platform's request histogram never sees these requests.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from qr_events.codes.links import SCAN_VIA
from qr_events.scans.answers import answer
from qr_events.scans.service import ScanService

log = logging.getLogger(__name__)
PREFIX = "/q/"


class ShortLinkFastPath:
    def __init__(self, app: ASGIApp, scans: ScanService) -> None:
        self.app = app
        self.scans = scans

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or not scope["path"].startswith(PREFIX)):
            await self.app(scope, receive, send)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        client = scope.get("client")
        agent = next((value for name, value in scope["headers"] if name == b"user-agent"),
                     b"")
        response = await answer(self.scans, scope["path"][len(PREFIX):],
                                marked=query.get("via") == SCAN_VIA, method=scope["method"],
                                client=client[0] if client else "",
                                user_agent=agent.decode("latin-1"))
        await response(scope, receive, send)
