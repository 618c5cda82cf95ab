"""Webhooks reach only addresses that passed the check, against a real HTTP receiver on
127.0.0.1 (uvicorn): the receiver stands for a private address, so a request that
reaches it when it should not is the failure these tests look for.

Mutations seen to fail: a pool left with httpcore's own backend (nothing was checked),
checking only the first address of an answer, and a slow resolver's timeout escaping
as a plain TimeoutError (which no httpx error handler catches)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx
import pytest
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from civic_testing import LiveServer
from partner_notifications.sending.egress import (
    BlockedAddress,
    GuardedBackend,
    blocked,
    webhook_client,
    webhook_transport,
)
from partner_notifications.sending.signing import new_secret, signed_headers

SECRET = new_secret()
BODY = '{"type":"ping","timestamp":"2026-11-26T10:00:00Z","data":{}}'


class Receiver:
    """A partner's endpoint: verifies each webhook with the library, remembers it."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

        async def hook(request: Request) -> Response:
            body = (await request.body()).decode()
            self.seen.append({"host": request.headers["host"], "path": request.url.path})
            try:
                Webhook(SECRET).verify(body, dict(request.headers))
            except WebhookVerificationError:
                return Response(status_code=400)
            return Response(status_code=204)

        async def moved(_request: Request) -> Response:
            self.seen.append({"path": "/moved"})
            return RedirectResponse("/hook", status_code=307)

        self.app = Starlette(routes=[Route("/hook", hook, methods=["POST"]),
                                     Route("/moved", moved, methods=["POST"])])


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, LiveServer]]:
    partner = Receiver()
    with LiveServer(partner.app) as server:
        yield partner, server


def fixed(*answers: list[str]) -> Any:
    """A resolver giving these answers in turn (the last one from then on)."""
    calls: list[str] = []

    async def resolve(host: str, _port: int) -> list[str]:
        calls.append(host)
        return answers[min(len(calls), len(answers)) - 1]
    return resolve


def post(backend: GuardedBackend, url: str) -> httpx.Response:
    async def send() -> httpx.Response:
        async with webhook_client(backend, connect_timeout_s=5, timeout_s=15) as client:
            return await client.post(url, content=BODY, headers=signed_headers(
                "msg_egress", BODY, [SECRET], datetime.now(UTC)))
    # On a thread of its own: an earlier test in a full run can leave this thread marked
    # as running an event loop, and anyio.run refuses then.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(anyio.run, send).result()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
def test_a_private_address_is_never_reached(receiver: Any, host: str) -> None:
    partner, server = receiver
    with pytest.raises(httpx.ConnectError) as refused:
        post(GuardedBackend(), f"http://{host}:{server.port}/hook")
    assert isinstance(blocked(refused.value), BlockedAddress)
    assert partner.seen == []


def test_a_name_is_dialled_at_the_address_that_was_checked(receiver: Any) -> None:
    """partner.test exists in no DNS: the request can only arrive through the resolved,
    checked address, and it still carries the name."""
    partner, server = receiver
    backend = GuardedBackend(allowed=["127.0.0.1"], resolver=fixed(["127.0.0.1"]))
    answer = post(backend, f"http://partner.test:{server.port}/hook")
    assert answer.status_code == 204  # and the signature verified at the receiver
    assert partner.seen == [{"host": f"partner.test:{server.port}", "path": "/hook"}]


def test_one_refused_address_in_an_answer_refuses_it_all(receiver: Any) -> None:
    partner, server = receiver
    backend = GuardedBackend(allowed=["127.0.0.1"],
                             resolver=fixed(["127.0.0.1", "169.254.169.254"]))
    with pytest.raises(httpx.ConnectError) as refused:
        post(backend, f"http://mixed.test:{server.port}/hook")
    assert "169.254.169.254" in str(blocked(refused.value))
    assert partner.seen == []


def test_a_name_that_rebinds_is_refused_on_the_next_connection(receiver: Any) -> None:
    partner, server = receiver
    backend = GuardedBackend(allowed=["127.0.0.1"],
                             resolver=fixed(["127.0.0.1"], ["10.0.0.5"]))
    assert post(backend, f"http://rebind.test:{server.port}/hook").status_code == 204
    with pytest.raises(httpx.ConnectError) as refused:
        post(backend, f"http://rebind.test:{server.port}/hook")
    assert "10.0.0.5, which is private" in str(blocked(refused.value))
    assert len(partner.seen) == 1


def test_a_redirect_is_not_followed(receiver: Any) -> None:
    partner, server = receiver
    answer = post(GuardedBackend(allowed=["127.0.0.1"]), f"{server.url}/moved")
    assert answer.status_code == 307
    assert partner.seen == [{"path": "/moved"}]


def test_a_name_that_does_not_resolve_is_a_connection_error() -> None:
    backend = GuardedBackend(resolver=fixed([]))
    with pytest.raises(httpx.ConnectError, match="did not resolve"):
        post(backend, "http://nowhere.test/hook")


def test_a_slow_resolver_is_a_connect_timeout() -> None:
    async def slow(_host: str, _port: int) -> list[str]:
        await anyio.sleep(5)
        return ["8.8.8.8"]

    async def send() -> httpx.Response:
        backend = GuardedBackend(resolver=slow)
        async with webhook_client(backend, connect_timeout_s=0.2, timeout_s=1) as client:
            return await client.post("http://slow.test/hook", content=BODY)

    with ThreadPoolExecutor(1) as thread, pytest.raises(httpx.ConnectTimeout):
        thread.submit(anyio.run, send).result()


def test_the_refusal_is_found_behind_any_chain() -> None:
    refusal = BlockedAddress("10.0.0.5 is private")
    looped = RuntimeError("again")
    looped.__context__ = ValueError("first")
    looped.__context__.__cause__ = looped  # a chain that loops back on itself
    assert blocked(looped) is None
    grouped = ExceptionGroup("attempts", [OSError("down"), refusal])
    assert blocked(httpx.ConnectError("x")) is None
    wrapped = httpx.ConnectError("refused")
    wrapped.__cause__ = grouped
    assert blocked(wrapped) is refusal


def test_the_pool_keeps_httpx_s_limits_and_checks_certificates() -> None:
    transport = webhook_transport(GuardedBackend())
    pool = transport._pool
    assert pool._network_backend is not None and isinstance(pool._network_backend,
                                                             GuardedBackend)
    assert (pool._max_keepalive_connections, pool._keepalive_expiry) == (20, 5.0)
    assert pool._ssl_context.verify_mode.name == "CERT_REQUIRED"
    assert pool._ssl_context.check_hostname


def test_the_allow_list_holds_addresses_not_names() -> None:
    with pytest.raises(ValueError):
        GuardedBackend(allowed=["partner.test"])
