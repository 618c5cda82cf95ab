"""Durability and sharing, with the service as deployments run it: processes of
``python -m partner_notifications serve`` on the real broker, fed by events produced
on it, delivering to a real receiver.

- kill -9 mid-attempt: the restarted service delivers every message, each under the
  one id it was made with (a message in flight at the kill may arrive twice, under that
  same id, which is what webhook-id is for);
- two workers on one database share the queue and never both deliver one message.

Mutations seen to fail: the lease not checked when taking rows (two workers sent the
same messages), and an expired lease never taken over (the restarted service left the
dead worker's rows undelivered)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from civic.contracts import encode
from civic.db import ServiceDatabase
from civic.http.auth import DEV_KEYS
from civic.kafka.broker import free_port
from civic.kafka.producer import EventProducer
from civic_testing import LiveServer, ServiceProcess
from partner_notifications.database import schema
from partner_notifications.deliveries.models import Delivery

from .conftest import scored, submitted

pytestmark = [pytest.mark.broker, pytest.mark.slow]
PARTNER = {"Authorization": f"Bearer {DEV_KEYS['partner.demo-foodbank'][1]}"}


class SlowReceiver:
    """Counts this test's cases' webhooks, answering them slowly; any other case on the
    shared broker (the demo partner covers everything) is answered at once and left
    out of the counts."""

    def __init__(self, delay_s: float) -> None:
        self.ids: list[str] = []
        self.started = 0
        self.delay_s = delay_s
        self.ours: set[str] = set()

    async def hook(self, request: Request) -> Response:
        body = json.loads(await request.body())
        if body["data"].get("case_ref") not in self.ours:
            return Response(status_code=204)
        self.started += 1
        await anyio.sleep(self.delay_s)
        self.ids.append(request.headers["webhook-id"])
        return Response(status_code=204)


def service(tmp_path: Path, database_url: str, kafka: str, group: str) -> ServiceProcess:
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka, "PARTNER_NOTIFICATIONS_DATABASE_URL": database_url,
           "PARTNER_NOTIFICATIONS_CONSUMER_GROUP": group,
           "PARTNER_NOTIFICATIONS_TOTAL_TIMEOUT_S": "3",
           "PARTNER_NOTIFICATIONS_CONNECT_TIMEOUT_S": "1",
           "PARTNER_NOTIFICATIONS_APPLY_TOPICS": "false"}
    process = ServiceProcess("partner_notifications", env, free_port())
    process.wait_ready()
    return process


def seed(database_url: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "partner_notifications", "seed"], cwd=tmp_path,
                          env={"PATH": "/usr/bin:/bin", "CIVIC_ENV": "dev",
                               "PARTNER_NOTIFICATIONS_DATABASE_URL": database_url},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def publish_cases(kafka: str, count: int, receiver: SlowReceiver) -> None:
    """``count`` cases of this test's, after as many others (noise, as a shared broker
    holds: they must change nothing)."""
    producer = EventProducer(kafka, client_id=f"test-{uuid.uuid4().hex[:6]}")
    records = []
    for n in range(2 * count):
        case = submitted()
        if n >= count:
            receiver.ours.add(str(case.case_id))
        records += [encode(case, source="urn:test"),
                    encode(scored(case, band="urgent", score=90), source="urn:test")]
    assert all(producer.send_all(records))
    producer.close()


def delivered(database: ServiceDatabase, receiver: SlowReceiver) -> list[str]:
    """The webhook-ids of this test's cases' delivered messages, read from the database
    (a full run's broker holds many other cases, all of them the demo partner's)."""
    ours = [uuid.UUID(case) for case in receiver.ours]
    with database.sessions() as session:
        return [row.webhook_id for row in session.scalars(select(Delivery).where(
            Delivery.case_id.in_(ours), Delivery.status == "delivered"))]


def subscribe(service_url: str, hooks_url: str) -> None:
    """Urgent cases only, as this test's are: fewer of a shared broker's other cases."""
    made = httpx.post(f"{service_url}/v1/subscriptions", headers=PARTNER, json={
        "url": f"{hooks_url}/hooks", "event_types": ["case.scored"],
        "filters": {"min_band": "urgent"}})
    assert made.status_code == 201, made.text


def wait(check, timeout_s: float = 180) -> Any:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    return check()


def test_kill_9_mid_attempt_loses_nothing_and_keeps_every_id(
        kafka_bootstrap: str, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/partners.db"
    seed(database, tmp_path)
    db = ServiceDatabase(schema(), database)
    receiver = SlowReceiver(delay_s=1.0)
    group = f"pn-crash-{uuid.uuid4().hex[:8]}"
    with LiveServer(Starlette(routes=[Route("/hooks", receiver.hook, methods=["POST"])])) as hooks:
        first = service(tmp_path, database, kafka_bootstrap, group)
        subscribe(first.url, hooks.url)
        publish_cases(kafka_bootstrap, 12, receiver)
        assert wait(lambda: receiver.started >= 4), "no attempt started"
        first.kill()  # attempts in flight, the rest of the queue leased or waiting
        made_before = set(receiver.ids)
        second = service(tmp_path, database, kafka_bootstrap, group)
        try:
            done = wait(lambda: len(rows := delivered(db, receiver)) == 12 and rows)
        finally:
            second.stop()
    assert done, "fewer than 12 were delivered after the restart"
    expected = set(done)
    assert set(receiver.ids) == expected, "every message arrived, under its own id"
    again = [i for i, n in Counter(receiver.ids).items() if n > 1]
    assert set(again) <= expected and len(again) <= 4, again  # only those in flight
    print(f"\n12 delivered after kill -9; {len(made_before)} arrived before it, "
          f"{len(again)} twice under their own id")


def test_two_workers_share_the_queue_and_never_both_deliver(
        kafka_bootstrap: str, database_url: str, tmp_path: Path) -> None:
    database = (database_url if database_url.startswith("postgresql")
                else f"sqlite:///{tmp_path}/partners.db")
    seed(database, tmp_path)
    db = ServiceDatabase(schema(), database)
    receiver = SlowReceiver(delay_s=0.05)
    group = f"pn-two-{uuid.uuid4().hex[:8]}"
    with LiveServer(Starlette(routes=[Route("/hooks", receiver.hook, methods=["POST"])])) as hooks:
        one = service(tmp_path, database, kafka_bootstrap, group)
        two = service(tmp_path, database, kafka_bootstrap, group)
        try:
            subscribe(one.url, hooks.url)
            publish_cases(kafka_bootstrap, 60, receiver)
            done = wait(lambda: len(rows := delivered(db, receiver)) == 60 and rows)
            shares = [_succeeded(worker.url) for worker in (one, two)]
        finally:
            one.stop()
            two.stop()
    assert done, "not every message was delivered"
    assert sorted(receiver.ids) == sorted(done), \
        "each message delivered exactly once"
    assert all(shares), f"both workers delivered: {shares}"


def _succeeded(url: str) -> int:
    metric = 'civic_partner_notifications_delivery_attempts_total{outcome="succeeded"}'
    for line in httpx.get(f"{url}/metrics").text.splitlines():
        if line.startswith(metric):
            return int(float(line.split()[-1]))
    return 0
