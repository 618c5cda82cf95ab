"""One HTTP attempt at a partner's endpoint, through the guarded pool, reported the
same way whatever happened: the status and the start of the answer, or why there was
none. Used by the test ping and by the delivery worker.

The whole attempt, connecting included, is bounded by the total timeout (15 s by
default): httpx bounds each phase on its own, so a slow trickle of bytes could
otherwise hold a worker far longer."""

from __future__ import annotations

import time
from dataclasses import dataclass

import anyio
import httpx

from partner_notifications.sending.egress import GuardedBackend, blocked, webhook_client

BODY_EXCERPT = 500
ERROR_MAX = 200  # delivery_attempts.error, and the event's error


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    latency_ms: int
    body: str  # at most BODY_EXCERPT characters of the answer
    error: str | None  # why there was no answer: a timeout, a refused address, ...
    retry_after: str | None = None  # the header as sent, for the retry policy

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookSender:
    def __init__(self, backend: GuardedBackend, *, connect_timeout_s: float,
                 total_timeout_s: float) -> None:
        self._backend = backend
        self._connect_timeout_s = connect_timeout_s
        self._total_timeout_s = total_timeout_s
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:  # made in the loop that uses it
            self._client = webhook_client(self._backend, connect_timeout_s=self._connect_timeout_s,
                                          timeout_s=self._total_timeout_s)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(self, url: str, body: str, headers: dict[str, str]) -> AttemptResult:
        started = time.perf_counter()

        def elapsed() -> int:
            return round((time.perf_counter() - started) * 1000)

        try:
            with anyio.fail_after(self._total_timeout_s):
                response = await self._http().post(
                    url, content=body.encode(),
                    headers={**headers, "content-type": "application/json",
                             "user-agent": "civic-partner-notifications/1"})
                excerpt = await _excerpt(response)
        except TimeoutError:
            return AttemptResult(None, elapsed(), "",
                                 f"no answer within {self._total_timeout_s:g} s")
        except httpx.HTTPError as exc:
            # a refusal says no more than that: the address a name resolved to is the
            # council's network, not the partner's business
            reason = ("refused: not a public address" if blocked(exc) else
                      f"{type(exc).__name__}: {exc}")
            return AttemptResult(None, elapsed(), "", reason[:ERROR_MAX])
        if not 100 <= response.status_code <= 599:
            return AttemptResult(None, elapsed(), excerpt,
                                 f"not an HTTP status: {response.status_code}")
        return AttemptResult(response.status_code, elapsed(), excerpt, None,
                             response.headers.get("retry-after"))


async def _excerpt(response: httpx.Response) -> str:
    """The start of the body, read no further than needed (a partner's error page may
    be large)."""
    taken = b""
    async for chunk in response.aiter_bytes():
        taken += chunk
        if len(taken) >= BODY_EXCERPT * 4:
            break
    await response.aclose()
    return taken.decode("utf-8", errors="replace")[:BODY_EXCERPT]
