"""civic.http.limits: a body over the limit is refused with a 413 problem before the
endpoint sees it, whether the client announced its size (Content-Length) or streamed
it in chunks over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from civic.http import problems
from civic.http.limits import BodySizeLimit
from civic.http.problems import PROBLEM_JSON, TYPE_BASE
from civic_testing import LiveServer

LIMIT = 100


class Note(BaseModel):
    text: str


def _app(seen: list[int]) -> FastAPI:
    app = FastAPI()
    problems.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=LIMIT)

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        size = len(await request.body())
        seen.append(size)
        return {"bytes": size}

    @app.post("/ignore")
    def ignore() -> dict[str, str]:  # never reads the body
        return {"status": "ok"}

    @app.post("/model")
    def model(body: Note) -> dict[str, int]:  # FastAPI parses this body itself
        seen.append(len(body.text))
        return {"bytes": len(body.text)}

    return app


def _assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["type"] == TYPE_BASE + "body-too-large"
    assert body["detail"] == f"The body must be at most {LIMIT} bytes."


@pytest.fixture(scope="module")
def seen() -> list[int]:
    return []


@pytest.fixture(scope="module")
def server(seen) -> Iterator[LiveServer]:
    with LiveServer(_app(seen)) as server:
        yield server


def _chunks(total: int, size: int = 16) -> Iterator[bytes]:
    while total > 0:
        yield b"x" * min(size, total)
        total -= size


def test_a_body_at_the_limit_is_let_through_and_one_byte_more_is_not():
    seen: list[int] = []
    with TestClient(_app(seen)) as client:
        ok = client.post("/echo", content=b"x" * LIMIT)
        assert ok.status_code == 200 and ok.json() == {"bytes": LIMIT}
        _assert_too_large(client.post("/echo", content=b"x" * (LIMIT + 1)))
        _assert_too_large(client.post("/echo", content=b"x" * 10_000_000))
    assert seen == [LIMIT]  # the endpoint never ran for the oversized bodies


def test_a_content_length_over_the_limit_is_refused_before_the_body_is_read(server, seen):
    """Mutation seen failing: the Content-Length check made ``too_big = False``."""
    # the header alone decides, even for an endpoint that would never read the body
    with httpx.Client(base_url=server.url, timeout=5) as client:
        for path in ("/echo", "/ignore"):
            request = client.build_request("POST", path, content=b"x" * (LIMIT + 1))
            assert request.headers["content-length"] == str(LIMIT + 1)
            _assert_too_large(client.send(request))
        assert client.post("/ignore", content=b"x" * LIMIT).status_code == 200


def test_a_chunked_body_over_the_limit_is_refused_over_real_http(server, seen):
    """Mutation seen failing: BodySizeLimit comparing the streamed count against
    ``max_bytes * 1000`` (only the Content-Length check left working)."""
    before = list(seen)
    with httpx.Client(base_url=server.url, timeout=5) as client:
        small = client.post("/echo", content=_chunks(LIMIT))
        assert "content-length" not in small.request.headers
        assert small.request.headers["transfer-encoding"] == "chunked"
        assert small.status_code == 200 and small.json() == {"bytes": LIMIT}

        big = client.post("/echo", content=_chunks(LIMIT * 5))
        assert big.request.headers["transfer-encoding"] == "chunked"
        _assert_too_large(big)
    assert seen == [*before, LIMIT]


def test_a_chunked_json_body_over_the_limit_is_413_not_400(server, seen):
    """FastAPI once turned the limit's error, raised while it parsed a JSON body, into
    400 "There was an error parsing the body"; seen to fail that way before BodyTooLarge
    became an HTTPException carrying its problem."""

    def chunked_json(size: int) -> Iterator[bytes]:
        yield b'{"text": "'
        yield from _chunks(size)
        yield b'"}'

    with httpx.Client(base_url=server.url, timeout=5) as client:
        small = client.post("/model", content=chunked_json(10),
                            headers={"Content-Type": "application/json"})
        assert small.status_code == 200 and small.json() == {"bytes": 10}
        _assert_too_large(client.post("/model", content=chunked_json(LIMIT * 5),
                                      headers={"Content-Type": "application/json"}))


def test_a_malformed_content_length_does_not_get_round_the_count():
    # uvicorn would refuse this header itself; the ASGI layer must not rely on that
    seen: list[int] = []
    with TestClient(_app(seen)) as client:
        response = client.post("/echo", content=b"x" * (LIMIT * 2),
                               headers={"Content-Length": "ten"})
    assert response.request.headers["content-length"] == "ten"
    _assert_too_large(response)
    assert seen == []
