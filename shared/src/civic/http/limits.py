"""Refuse oversized request bodies before anything reads them."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civic.http.problems import Problem, problem_response


class BodyTooLarge(HTTPException):
    """Raised from the body stream when it passes the limit. An HTTPException, because
    FastAPI turns any other error while it parses a JSON body into a 400; it re-raises
    these, and civic.http.problems answers with the problem carried here."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.status, problem.detail)
        self.problem = problem


class BodySizeLimit:
    """Pure ASGI middleware: checks Content-Length, and counts streamed bytes too, so a
    chunked upload cannot get round the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int = 64 * 1024) -> None:
        self.app, self.max_bytes = app, max_bytes

    def _problem(self) -> Problem:
        return Problem(413, "Request body too large",
                       f"The body must be at most {self.max_bytes} bytes.", slug="body-too-large")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await problem_response(self._problem())(scope, receive, send)
                    return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self._problem())
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await problem_response(self._problem())(scope, receive, send)
