"""Connections to partners' endpoints, made only to addresses that passed the check.

httpx asks its connection pool's network backend to connect to a URL's host. The
backend here resolves the name once, refuses the whole answer if any address in it is
refused (``addresses.refusal``), and dials one of exactly those addresses, so a name
that resolves differently a moment later (DNS rebinding) changes nothing. TLS still
checks the certificate against the URL's hostname and sends it as SNI, and ``Host`` is
the URL's, because httpcore starts TLS and writes the request with the origin it was
given, not the address it was handed back.

httpx has no public parameter for a transport's network backend yet, so the transport's
pool is replaced (``webhook_transport``); a test fails if that stops taking effect.
Redirects are never followed (a 3xx is a failed delivery) and no proxy from the
environment is used, since through a proxy the check would see only the proxy.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable
from ipaddress import IPv4Address, IPv6Address, ip_address

import anyio
import httpcore
import httpx

from partner_notifications.sending.addresses import refusal

Resolver = Callable[[str, int], Awaitable[list[str]]]
MAX_CONNECTIONS = 100
KEEPALIVE_CONNECTIONS, KEEPALIVE_EXPIRY_S = 20, 5.0  # httpx's own defaults


class BlockedAddress(httpcore.ConnectError):
    """The endpoint's host resolved to an address webhooks may not reach."""


async def resolve(host: str, port: int) -> list[str]:
    answers = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in answers))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """``allowed``: addresses reachable although refused (a local receiver in tests and
    make dev; settings refuse any in production). Addresses, never names: a name is
    only ever as good as what it resolves to."""

    def __init__(self, allowed: Iterable[str] = (), resolver: Resolver = resolve) -> None:
        self.allowed = frozenset(ip_address(a) for a in allowed)
        self.resolver = resolver
        self.dialler = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        # One deadline for resolving and every dial, so an answer of several dead
        # addresses costs the connect timeout once, not once for each.
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            with anyio.fail_after(timeout):
                answer = await self.resolver(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} took over {timeout} s") from exc
        except OSError as exc:
            raise httpcore.ConnectError(f"{host} did not resolve: {exc}") from exc
        addresses = [self._checked(host, text) for text in answer]
        if not addresses:
            raise httpcore.ConnectError(f"{host} did not resolve to any address")
        failure: Exception | None = None
        for address in addresses:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise httpcore.ConnectTimeout(f"connecting to {host} took over {timeout} s")
            try:
                return await self.dialler.connect_tcp(
                    str(address), port, timeout=left, local_address=local_address,
                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    def _checked(self, host: str, text: str) -> IPv4Address | IPv6Address:
        address = ip_address(text)
        if address in self.allowed:
            return address
        reason = refusal(address)
        if reason:
            raise BlockedAddress(f"{host} resolves to {address}, which is {reason}")
        return address

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks are sent over TCP only")

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


def webhook_transport(backend: GuardedBackend,
                      ssl_context: ssl.SSLContext | None = None) -> httpx.AsyncHTTPTransport:
    """``ssl_context``: the public certificate authorities unless a test gives its own."""
    transport = httpx.AsyncHTTPTransport(trust_env=False, retries=0)
    transport._pool = httpcore.AsyncConnectionPool(  # the seam: see the module's docstring
        ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
        max_connections=MAX_CONNECTIONS, max_keepalive_connections=KEEPALIVE_CONNECTIONS,
        keepalive_expiry=KEEPALIVE_EXPIRY_S, http1=True, http2=False, retries=0,
        network_backend=backend)
    return transport


def webhook_client(backend: GuardedBackend, *, connect_timeout_s: float, timeout_s: float,
                   ssl_context: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    """Each phase of a request is bounded by ``timeout_s`` (connecting by
    ``connect_timeout_s``); the delivery worker bounds a whole attempt."""
    return httpx.AsyncClient(
        transport=webhook_transport(backend, ssl_context), follow_redirects=False, trust_env=False,
        timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s))


def blocked(error: BaseException) -> BlockedAddress | None:
    """The address refusal behind an httpx error, if that is what it was."""
    waiting, seen = [error], set()
    while waiting:
        cause = waiting.pop()
        if id(cause) in seen:
            continue  # a chain can loop back on itself
        seen.add(id(cause))
        if isinstance(cause, BlockedAddress):
            return cause
        waiting += [c for c in (cause.__cause__, cause.__context__) if c is not None]
        if isinstance(cause, BaseExceptionGroup):
            waiting += cause.exceptions
    return None
