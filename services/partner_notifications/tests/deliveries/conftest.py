"""A running partner notifications (real HTTP server, worker and database) and a real
partner receiver whose answers each test scripts, for the delivery tests."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from civic.contracts import EventPayload, decode, encode
from civic.contracts.cases import CaseStatusChanged, CaseSubmitted
from civic.contracts.envelope import Envelope
from civic.contracts.scoring import CaseScored
from civic.http.auth import DEV_KEYS, ensure_dev_keys
from civic_testing import LiveServer
from partner_notifications.app import create_app
from partner_notifications.settings import Settings

KENTISH_TOWN, KINGS_CROSS = "E05000139", "E05000141"
OPS = {"Authorization": f"Bearer {DEV_KEYS['ops.demo'][1]}"}


@dataclass
class Receiver:
    """Records every request by path; answers each path from its script (status,
    headers), then 204 once the script runs out."""

    url: str
    got: dict[str, list[tuple[bytes, dict[str, str]]]] = field(
        default_factory=lambda: defaultdict(list))
    script: dict[str, deque[tuple[int, dict[str, str]]]] = field(
        default_factory=lambda: defaultdict(deque))
    always: dict[str, int] = field(default_factory=dict)

    def answer(self, path: str, *answers: int | tuple[int, dict[str, str]]) -> None:
        for a in answers:
            self.script[path].append(a if isinstance(a, tuple) else (a, {}))

    def wait(self, path: str, count: int, timeout_s: float = 30) -> list[
            tuple[bytes, dict[str, str]]]:
        deadline = time.monotonic() + timeout_s
        while len(self.got[path]) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.got[path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box: list[Receiver] = []

    async def hook(request: Request) -> Response:
        rec, path = box[0], request.url.path
        rec.got[path].append((await request.body(), dict(request.headers)))
        if path in rec.always:
            return PlainTextResponse("no", status_code=rec.always[path])
        status, headers = rec.script[path].popleft() if rec.script[path] else (204, {})
        return PlainTextResponse("" if status == 204 else f"answer {status}",
                                 status_code=status, headers=headers)

    app = Starlette(routes=[Route("/{path:path}", hook, methods=["POST"])])
    with LiveServer(app) as server:
        box.append(Receiver(server.url))
        yield box[0]


@dataclass
class Platform:
    url: str
    app: Any

    def partner(self, partner_id: str, wards: list[str], categories: list[str]
                ) -> dict[str, str]:
        made = httpx.post(f"{self.url}/v1/partners", headers=OPS, json={
            "id": partner_id, "organisation": partner_id, "contact": "hooks@example.org",
            "wards": wards, "categories": categories})
        assert made.status_code == 201, made.text
        key = httpx.post(f"{self.url}/v1/partners/{partner_id}/key", headers=OPS).json()["key"]
        return {"Authorization": f"Bearer {key}"}

    def subscribe(self, partner: dict[str, str], url: str, **body: Any) -> dict[str, Any]:
        made = httpx.post(f"{self.url}/v1/subscriptions", headers=partner,
                          json={"url": url, "event_types": ["case.scored"], **body})
        assert made.status_code == 201, made.text
        return made.json()  # type: ignore[no-any-return]

    def feed(self, *payloads: EventPayload) -> None:
        """As the consumer group would hand them over (the broker is tested apart)."""
        for payload in payloads:
            self.app.state.container.planner.handle(envelope(payload))


def envelope(payload: EventPayload) -> Envelope:
    record = encode(payload, source="urn:test")
    return decode(record.headers, record.value, record.key)


@pytest.fixture
def platform_for(database_url: str) -> Iterator[Callable[..., Platform]]:
    """A running service on this test's database, no consumer group (events are fed),
    with settings the test chooses (a short retry schedule, say)."""
    servers: list[LiveServer] = []

    def start(**settings: Any) -> Platform:
        app = create_app(Settings(**{
            "database_url": database_url, "kafka_bootstrap_servers": "127.0.0.1:9",
            "apply_topics": False, "run_relay": False, "run_consumers": False,
            "retry_schedule_s": [0, 0.2, 0.2, 0.2], **settings}))
        ensure_dev_keys(app.state.container.database.engine)
        server = LiveServer(app).__enter__()
        servers.append(server)
        return Platform(server.url, app)

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def submitted(ward: str = KENTISH_TOWN, categories: tuple[str, ...] = ("food",)
              ) -> CaseSubmitted:
    return CaseSubmitted.model_validate({
        "case_id": uuid.uuid4(), "submitted_at": datetime.now(UTC), "channel": "web",
        "categories": list(categories), "urgency": "today",
        "household": {"people": 1, "children": 0, "lives_alone": True,
                      "disability_or_long_term_condition": False,
                      "no_internet_access": False},
        "location": {"ward_code": ward, "lsoa_code": None, "resolved": True},
        "resident_key": None, "previous_contacts_12m": 0, "case_version": 1,
        "consent": {"lawful_basis": "public_task", "share_with_partners": True,
                    "terms_version": "2026-10"}})


def scored(case: CaseSubmitted, band: str = "high", score: int = 62) -> CaseScored:
    return CaseScored.model_validate({
        "case_id": case.case_id, "scored_at": datetime.now(UTC), "score": score,
        "band": band, "policy_version": "need-2026.11",
        "contributions": [
            {"factor": "urgency", "input_value": "today", "weight": 1.0, "points": 40,
             "reason": "Help is needed today."},
            {"factor": "lives_alone", "input_value": True, "weight": 1.0, "points": 22,
             "reason": "The resident lives alone."}]})


def status_changed(case: CaseSubmitted, from_: str, to: str, version: int,
                   partner_id: str | None = None) -> CaseStatusChanged:
    return CaseStatusChanged.model_validate({
        "case_id": case.case_id, "from_status": from_, "to_status": to,
        "changed_at": datetime.now(UTC), "actor_role": "partner" if partner_id else "staff",
        "partner_id": partner_id, "case_version": version})
