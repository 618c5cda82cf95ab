"""The delivery worker: takes due deliveries on a lease, sends each signed, and records
what happened, in as many processes as the deployment runs.

Durable by construction: a delivery is a row before anything is sent, the lease is
taken in one transaction and the outcome recorded in another, and nothing is held in
memory that a crash could lose. A worker killed mid-attempt leaves its rows leased;
when the lease runs out (it outlasts any attempt) another worker sends them again,
under the same ``webhook-id``, which is the partner's key for deduplicating. An outcome
is recorded only if no other worker has taken the row over, so a row is never recorded
twice.

Isolation: each endpoint has at most ``per_endpoint`` attempts in flight in a worker,
an optional rate of its partner's choosing, and a circuit that stops attempts while it
is failing; rows are taken only when they can start at once, so a slow endpoint's
queue never holds a worker's slot for anyone else.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio
import anyio.to_thread
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from civic.db import write_lock
from partner_notifications.deliveries import repository
from partner_notifications.deliveries.outcomes import Outcome, OutcomeRecorder, circuit_of
from partner_notifications.deliveries.policy import start_attempt
from partner_notifications.sending.egress import MAX_CONNECTIONS
from partner_notifications.sending.sender import AttemptResult, WebhookSender
from partner_notifications.sending.signing import signed_headers

log = logging.getLogger(__name__)
SWEEP_EVERY_S = 3600.0
# Below the connection pool's size (sending/egress.py), so an attempt never waits for a
# connection behind other endpoints' slow ones.
MAX_IN_FLIGHT = MAX_CONNECTIONS - 20


@dataclass(frozen=True)
class Job:
    delivery_id: uuid.UUID
    webhook_id: str
    token: str
    subscription_id: uuid.UUID
    url: str
    body: str
    secrets: list[str]


class DeliveryWorker:
    def __init__(self, engine: Engine, sessions: sessionmaker[Session], sender: WebhookSender,
                 recorder: OutcomeRecorder, *, per_endpoint: int, batch: int,
                 lease: timedelta, retention: timedelta, poll_s: float = 0.5,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.sessions = sessions
        self.sender = sender
        self.recorder = recorder
        self.per_endpoint = per_endpoint
        self.batch = batch
        self.lease = lease
        self.poll_s = poll_s
        self.retention = retention
        self._swept_at = 0.0
        self.clock = clock
        self.name = f"worker-{uuid.uuid4().hex[:8]}"
        self.in_flight: dict[uuid.UUID, int] = defaultdict(int)
        self._next_allowed: dict[uuid.UUID, float] = {}  # rate limits: monotonic seconds
        self._wake = threading.Event()
        self._loop_wake: anyio.Event | None = None  # made in run(), in its event loop
        self._stopping = threading.Event()
        self._rng = random.Random()

    def notify(self) -> None:
        """New deliveries are waiting (from the consumer's thread, or an API call)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        """Until stop(): take what is due and start it; on shutdown, wait for attempts in
        flight (each bounded by the total timeout) and their outcomes to be recorded, so
        none is cut off unrecorded."""
        finished, outcomes = anyio.create_memory_object_stream[tuple[Job, AttemptResult]](
            MAX_IN_FLIGHT)
        self._loop_wake = anyio.Event()
        async with anyio.create_task_group() as recording:
            recording.start_soon(self._record_outcomes, outcomes)
            async with finished, anyio.create_task_group() as attempts:
                while not self._stopping.is_set():
                    try:
                        jobs = await anyio.to_thread.run_sync(self.take)
                    except Exception as exc:  # the database is away: try again shortly
                        log.warning("taking deliveries: %s: %s", type(exc).__name__, exc)
                        jobs = []
                    for job in jobs:
                        self.in_flight[job.subscription_id] += 1
                        attempts.start_soon(self._attempt, job, finished)
                    if len(jobs) < self.batch:
                        await self._idle()
                    if time.monotonic() - self._swept_at > SWEEP_EVERY_S:
                        self._swept_at = time.monotonic()
                        await anyio.to_thread.run_sync(self.sweep)

    async def _idle(self) -> None:
        """Until poll_s passes, an attempt's outcome is recorded (at once), or notify()
        is called from another thread (seen within 20 ms)."""
        deadline = time.monotonic() + self.poll_s
        woken = self._loop_wake = self._loop_wake or anyio.Event()
        while time.monotonic() < deadline and not self._wake.is_set():
            with anyio.move_on_after(0.02):
                await woken.wait()
            if woken.is_set():
                break
        self._wake.clear()
        self._loop_wake = anyio.Event()

    def sweep(self) -> None:
        """The delivery log's retention: old attempts and finished deliveries go."""
        try:
            with write_lock(self.engine), self.sessions.begin() as session:
                gone = repository.drop_old_attempts(session, self.clock() - self.retention)
        except Exception as exc:
            log.warning("trimming the delivery log: %s: %s", type(exc).__name__, exc)
            return
        if gone:
            log.info("trimmed %d old rows from the delivery log", gone)

    def take(self) -> list[Job]:
        """Lease what is due and may start now; return it ready to send."""
        now = self.clock()
        with write_lock(self.engine), self.sessions.begin() as session:
            chosen = self._choose(repository.due(session, now, self.batch * 4,
                                                 skip=self._cannot_start()))
            token = f"{self.name}:{uuid.uuid4().hex[:12]}"
            rows = repository.lease(session, chosen, token, now, now + self.lease)
            secrets = repository.signing_secrets_for(session, (r.subscription_id for r in rows),
                                                     now)
            # Locked, so of two workers only one lets a half-open circuit's trial through.
            subs = repository.subscriptions_locked(session, (r.subscription_id for r in rows))
            jobs: list[Job] = []
            for row in rows:
                sub = subs.get(row.subscription_id)
                if sub is None or not secrets.get(row.subscription_id):
                    continue
                state = start_attempt(circuit_of(sub), now, self.lease)
                if state is None:  # a trial from another worker is out: wait for it
                    row.leased_until, row.leased_by = None, None
                    continue
                sub.circuit_open_until, sub.circuit_trial = state.open_until, state.trial
                jobs.append(Job(row.id, row.webhook_id, token, row.subscription_id, sub.url,
                                row.body, secrets[row.subscription_id]))
            return jobs

    def _cannot_start(self) -> set[uuid.UUID]:
        """Subscriptions at their concurrency or rate limit in this worker."""
        now = time.monotonic()
        return ({s for s, n in self.in_flight.items() if n >= self.per_endpoint}
                | {s for s, at in self._next_allowed.items() if at > now})

    def _choose(self, due: list[tuple[uuid.UUID, uuid.UUID, float | None]]) -> list[uuid.UUID]:
        taken: dict[uuid.UUID, int] = defaultdict(int)
        chosen: list[uuid.UUID] = []
        room = MAX_IN_FLIGHT - sum(self.in_flight.values())
        for delivery_id, subscription_id, rate in due:
            if len(chosen) >= min(self.batch, room):
                break
            if self.in_flight[subscription_id] + taken[subscription_id] >= self.per_endpoint:
                continue
            if rate and not self._rate_allows(subscription_id, rate):
                continue
            taken[subscription_id] += 1
            chosen.append(delivery_id)
        return chosen

    def _rate_allows(self, subscription_id: uuid.UUID, per_s: float) -> bool:
        """The partner's own rate limit, spaced evenly (per worker process)."""
        now = time.monotonic()
        allowed = self._next_allowed.get(subscription_id, 0.0)
        if now < allowed:
            return False
        self._next_allowed[subscription_id] = max(now, allowed) + 1 / per_s
        return True

    async def _attempt(self, job: Job,
                       finished: MemoryObjectSendStream[tuple[Job, AttemptResult]]) -> None:
        try:
            headers = signed_headers(job.webhook_id, job.body, job.secrets, self.clock())
            result: AttemptResult = await self.sender.send(job.url, job.body, headers)
        except Exception:
            log.exception("delivery %s: the attempt failed unrecorded; its lease will run out "
                          "and it will be sent again under the same id", job.webhook_id)
            self._done([job])
            return
        await finished.send((job, result))  # never waits: the stream holds MAX_IN_FLIGHT

    async def _record_outcomes(self,
                               outcomes: MemoryObjectReceiveStream[tuple[Job, AttemptResult]]
                               ) -> None:
        """Everything that came back while the last batch was being recorded, recorded
        in one transaction; endpoint slots are freed once their outcome is committed, so
        a failing endpoint's circuit is up to date before its next attempt starts."""
        async with outcomes:
            async for first in outcomes:
                batch = [first]
                while len(batch) < MAX_IN_FLIGHT:
                    try:
                        batch.append(outcomes.receive_nowait())
                    except (anyio.WouldBlock, anyio.EndOfStream):  # (ended: shutting down)
                        break
                await anyio.to_thread.run_sync(self._record, batch)
                self._done([job for job, _ in batch])

    def _record(self, batch: list[tuple[Job, AttemptResult]]) -> None:
        try:
            self.recorder.record_all([Outcome(j.delivery_id, j.token, r) for j, r in batch])
            return
        except Exception as exc:  # one at a time, so one row that can't be kept holds no other
            log.warning("recording %d outcomes together: %s: %s; one by one instead",
                        len(batch), type(exc).__name__, exc)
        for job, result in batch:
            try:
                self.recorder.record_all([Outcome(job.delivery_id, job.token, result)])
            except Exception:
                log.exception("delivery %s: the attempt could not be recorded; its lease will "
                              "run out and it will be sent again under the same id",
                              job.webhook_id)

    def _done(self, jobs: list[Job]) -> None:
        for job in jobs:
            self.in_flight[job.subscription_id] -= 1
        if self._loop_wake is not None:
            self._loop_wake.set()  # their endpoints have room again
