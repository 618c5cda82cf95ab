"""What ``benchmarks.partner_webhooks`` stands on: the partner receiver it runs in a
process of its own, the rows it starts from, and the worker wired as the app wires it.
The receiver is raw ASGI, to cost as little as uvicorn allows: POST ``/ok/..`` answers
204, ``/fail/..`` 500, ``/hang/..`` after ``HANG_S`` (past any total timeout set here);
``GET /stats`` has the counts, and when each webhook-id first arrived."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

import anyio
from sqlalchemy import create_engine, insert, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from civic.db import ServiceDatabase, write_lock
from partner_notifications.database import schema
from partner_notifications.deliveries import payloads
from partner_notifications.deliveries.models import Delivery, DeliveryAttempt
from partner_notifications.deliveries.outcomes import Outcome, OutcomeRecorder
from partner_notifications.deliveries.policy import RetrySchedule
from partner_notifications.deliveries.worker import DeliveryWorker
from partner_notifications.metrics import DeliveryMetrics
from partner_notifications.partners.models import Partner
from partner_notifications.sending.egress import GuardedBackend
from partner_notifications.sending.sender import AttemptResult, WebhookSender
from partner_notifications.sending.signing import new_secret
from partner_notifications.settings import Settings
from partner_notifications.subscriptions.models import SigningSecret, Subscription

ROOT = Path(__file__).resolve().parents[1]
HANG_S = 30.0
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"  # as the tests' fixtures
# The service's own defaults, not whatever this shell's environment says.
DEFAULTS: dict[str, Any] = {name: f.default for name, f in Settings.model_fields.items()}

_arrivals: dict[str, float] = {}
_counts: Counter[str] = Counter()


async def receiver(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    kind = scope["path"].split("/")[1]
    while (await receive()).get("more_body"):  # all of it, as a partner's framework would
        pass
    status, answer = 204, b""
    if scope["method"] == "GET":
        status, answer = 200, json.dumps({"ok": 0, **_counts, "arrivals": _arrivals}).encode()
    elif kind == "reset":
        _arrivals.clear()
        _counts.clear()
    else:
        _counts[kind] += 1
        if kind == "hang":
            await asyncio.sleep(HANG_S)
        elif kind == "fail":
            status = 500
        else:
            _arrivals.setdefault(dict(scope["headers"])[b"webhook-id"].decode(), time.time())
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": answer})


@contextmanager
def database_at(url: str) -> Iterator[ServiceDatabase]:
    database = ServiceDatabase(schema(), url)
    try:
        database.migrate()
        yield database
    finally:
        database.dispose()


@contextmanager
def fresh_postgres(admin_url: str) -> Iterator[str | None]:
    """A database of its own, dropped after (None if PostgreSQL is not there): the
    service's schema has the same name in every database, and tests use ``test``."""
    base = make_url(admin_url)
    name = f"bench_webhooks_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        socket.create_connection((base.host or "127.0.0.1", base.port or 5432), 0.5).close()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except (OSError, SQLAlchemyError):
        name = ""
    try:
        yield base.set(database=name).render_as_string(hide_password=False) if name else None
    finally:
        if name:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def subscriptions(database: ServiceDatabase, urls: list[str]) -> list[uuid.UUID]:
    """One partner and one active subscription (with its secret) per URL."""
    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in urls]
    with database.engine.begin() as conn:
        conn.execute(insert(Partner), [
            {"id": f"partner.bench-{i}", "organisation": f"Bench group {i}",
             "contact": "hooks@example.org", "wards": ["E05000139"], "categories": ["food"],
             "active": True, "revision": 1, "created_at": now, "updated_at": now}
            for i in range(len(urls))])
        conn.execute(insert(Subscription), [
            {"id": sid, "partner_id": f"partner.bench-{i}", "url": url,
             "event_types": ["case.scored"], "wards": [], "categories": [], "status": "active",
             "circuit_failures": 0, "circuit_opened_times": 0, "circuit_trial": False,
             "created_at": now, "updated_at": now}
            for i, (sid, url) in enumerate(zip(ids, urls, strict=True))])
        conn.execute(insert(SigningSecret), [
            {"subscription_id": sid, "secret": new_secret(), "created_at": now} for sid in ids])
    return ids


def case_body(rng: Random, at: datetime) -> str:
    """A case.scored body as deliveries/payloads.py makes them (about 400 bytes)."""
    case = uuid.UUID(int=rng.getrandbits(128), version=4)
    return payloads.body("case.scored", at, {  # type: ignore[no-any-return]
        "case_ref": str(case), "ward": "E05000139", "categories": ["food", "money"],
        "band": rng.choice(["medium", "high", "urgent"]), "score": rng.randint(30, 90),
        "reasons": ["Help is needed today.", "The resident lives alone.",
                    "No money for food this week."], "status": "submitted",
        "claim_url": f"http://127.0.0.1:8001/v1/cases/{case}/claim"})


def pending(database: ServiceDatabase, subs: list[uuid.UUID], count: int, *,
            rng: Random, offset: int = 0, due: datetime | None = None,
            failed_before: bool = False) -> dict[str, tuple[float, int]]:
    """``count`` deliveries round-robin over ``subs`` (from ``offset``), due when made or at
    ``due``; ``failed_before``: retries, each with a failed attempt logged. Returns
    webhook-id -> (created_at as Unix time, index in subs)."""
    now = datetime.now(UTC)
    created = now - timedelta(hours=2) if failed_before else now
    made: dict[str, tuple[float, int]] = {}
    with write_lock(database.engine), database.engine.begin() as conn:
        for start in range(offset, offset + count, 5000):  # in parts: little memory held
            rows: list[dict[str, Any]] = []
            attempts: list[dict[str, Any]] = []
            for i in range(start, min(start + 5000, offset + count)):
                delivery, sub = uuid.uuid4(), i % len(subs)
                made[f"msg_{delivery.hex}"] = (created.timestamp(), sub)
                rows.append({"id": delivery, "event_id": f"bench-{delivery.hex}",
                             "subscription_id": subs[sub], "partner_id": f"partner.bench-{sub}",
                             "webhook_type": "case.scored", "body": case_body(rng, created),
                             "status": "pending", "attempts": int(failed_before),
                             "next_attempt_at": due or now, "created_at": created,
                             "last_status_code": 503 if failed_before else None})
                if failed_before:
                    attempts.append({"delivery_id": delivery, "attempt": 1, "at": created,
                                     "status_code": 503, "latency_ms": 40,
                                     "response_body": "busy", "outcome": "failed"})
            conn.execute(insert(Delivery), rows)
            if attempts:
                conn.execute(insert(DeliveryAttempt), attempts)
    return made


class CountingRecorder(OutcomeRecorder):  # type: ignore[misc]
    """The service's recorder, counting outcomes as they commit: nothing polls the database."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.delivered, self.failed, self._changed = 0, 0, threading.Condition()

    def record_all(self, outcomes: Sequence[Outcome]) -> list[AttemptResult]:
        recorded = super().record_all(outcomes)
        with self._changed:
            self.delivered += sum(r.delivered for r in recorded)
            self.failed += sum(not r.delivered for r in recorded)
            self._changed.notify_all()
        return recorded

    def wait_delivered(self, count: int, timeout_s: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.delivered >= count, timeout_s)


class RunningWorker:
    """A DeliveryWorker as the app makes it, on a thread and uvloop (as uvicorn serves it)."""

    def __init__(self, database: ServiceDatabase, total_timeout_s: float = 0) -> None:
        total = total_timeout_s or DEFAULTS["total_timeout_s"]
        self.sender = WebhookSender(GuardedBackend(["127.0.0.1"]), total_timeout_s=total,
                                    connect_timeout_s=DEFAULTS["connect_timeout_s"])
        self.recorder = CountingRecorder(
            database.engine, database.sessions, DeliveryMetrics(),
            schedule=RetrySchedule(tuple(DEFAULTS["retry_schedule_s"])),
            disable_after=timedelta(hours=DEFAULTS["auto_disable_after_hours"]),
            circuit_threshold=DEFAULTS["circuit_threshold"],
            circuit_cooldown=timedelta(seconds=DEFAULTS["circuit_cooldown_s"]),
            circuit_max_cooldown=timedelta(seconds=DEFAULTS["circuit_max_cooldown_s"]))
        self.worker = DeliveryWorker(
            database.engine, database.sessions, self.sender, self.recorder,
            per_endpoint=DEFAULTS["per_endpoint_concurrency"], batch=DEFAULTS["delivery_batch"],
            lease=timedelta(seconds=2 * total + 10),
            retention=timedelta(days=DEFAULTS["delivery_log_retention_days"]))
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="bench-worker")

    async def _run(self) -> None:
        try:
            await self.worker.run()
        finally:
            await self.sender.close()

    def __enter__(self) -> RunningWorker:
        self._done = self._thread.submit(
            lambda: anyio.run(self._run, backend_options={"use_uvloop": True}))
        return self

    def __exit__(self, *_exc: object) -> None:
        self.worker.stop()  # attempts in flight finish (within the total timeout) first
        self._done.result(DEFAULTS["total_timeout_s"] + 30)  # raises what stopped it, if any
        self._thread.shutdown()


def drain(url: str, count: int, budget_s: float) -> dict[str, Any]:
    """In a process of its own, so the memory is the worker's: RSS as it starts and its
    peak while draining ``count`` (or for ``budget_s``), and how many in how long."""
    def memory_kb(field: str) -> int:
        lines = Path("/proc/self/status").read_text().splitlines()
        return next(int(line.split()[1]) for line in lines if line.startswith(field))

    database = ServiceDatabase(schema(), url)
    before = memory_kb("VmRSS:")
    with RunningWorker(database) as running:
        started = time.perf_counter()
        running.recorder.wait_delivered(count, budget_s)
        seconds, drained = time.perf_counter() - started, running.recorder.delivered
    database.dispose()
    return {"drained": drained, "seconds": seconds, "rss_mb_before": before / 1024,
            "rss_growth_mb": (memory_kb("VmHWM:") - before) / 1024}
