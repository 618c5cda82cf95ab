"""HTTPS through the guarded pool, against a real TLS receiver (uvicorn with a trustme
certificate) on 127.0.0.1: the connection goes to the checked address, yet TLS sends
the URL's name and verifies the certificate against it.

Mutation seen to fail: the pool built with certificate checking off."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import httpx
import pytest
import trustme
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from civic.kafka.broker import free_port
from partner_notifications.sending.egress import GuardedBackend, webhook_client

CA = trustme.CA()


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, list[str]]]:
    """Serves a certificate for partner.test only."""
    seen: list[str] = []

    async def hook(request: Request) -> Response:
        seen.append(request.headers["host"])
        return Response(status_code=204)

    pem = tmp_path_factory.mktemp("tls") / "partner.pem"
    CA.issue_cert("partner.test").private_key_and_cert_chain_pem.write_to_path(str(pem))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(
        Starlette(routes=[Route("/hook", hook, methods=["POST"])]), host="127.0.0.1",
        port=port, ssl_keyfile=str(pem), ssl_certfile=str(pem), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield port, seen
    server.should_exit = True
    thread.join(10)


def post(url: str, context: ssl.SSLContext | None) -> httpx.Response:
    async def answers(_host: str, _port: int) -> list[str]:
        return ["127.0.0.1"]  # the names below exist in no DNS

    async def send() -> httpx.Response:
        backend = GuardedBackend(allowed=["127.0.0.1"], resolver=answers)
        async with webhook_client(backend, connect_timeout_s=5, timeout_s=15,
                                  ssl_context=context) as client:
            return await client.post(url, content="{}")
    with ThreadPoolExecutor(1) as thread:  # see test_egress.post
        return thread.submit(anyio.run, send).result()


def trusting() -> ssl.SSLContext:
    context = httpx.create_ssl_context(trust_env=False)
    CA.configure_trust(context)
    return context


def test_the_name_is_verified_at_the_checked_address(receiver: Any) -> None:
    port, seen = receiver
    assert post(f"https://partner.test:{port}/hook", trusting()).status_code == 204
    assert seen[-1] == f"partner.test:{port}"


def test_a_certificate_for_another_name_is_refused(receiver: Any) -> None:
    port, seen = receiver
    before = len(seen)
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        post(f"https://other.test:{port}/hook", trusting())
    assert len(seen) == before


def test_an_untrusted_authority_is_refused(receiver: Any) -> None:
    port, seen = receiver
    before = len(seen)
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        post(f"https://partner.test:{port}/hook", None)  # the public authorities only
    assert len(seen) == before
