"""Two case intake workers (``python -m case_intake serve`` processes) on one PostgreSQL
database and the real broker, each with its own outbox relay, as a scaled-out
deployment runs them:

- an Idempotency-Key repeated on the other worker gets the first answer, and the same
  key sent to both at once files one case;
- a case changed on one worker and then the other has its events on the topic once
  each, in version order, whichever worker's relay published them.

Mutation seen to fail: the stored first answer never found (``idempotency.replay``
returning None): the repeat on the other worker got a 500, not the first answer. The
order of relays is tested in depth by tests/integration/test_relay_order.py."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaConsumer

from case_intake.database import schema
from civic.contracts.envelope import decode
from civic.db import ServiceDatabase
from civic.http.auth import ApiKeyStore, Role
from civic.kafka.broker import free_port
from civic_testing import ServiceProcess

from ..conftest import make_case_body

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def worker(database_url: str, kafka: str) -> ServiceProcess:
    process = ServiceProcess("case_intake", {
        "KAFKA_BOOTSTRAP_SERVERS": kafka, "CASE_INTAKE_DATABASE_URL": database_url,
        "CASE_INTAKE_APPLY_TOPICS": "false", "CASE_INTAKE_RUN_CONSUMERS": "false"},
        free_port())
    process.wait_ready("/readyz")
    return process


def lifecycle_versions(kafka: str, case_id: str, count: int, timeout_s: float = 30
                       ) -> list[tuple[int, str]]:
    consumer = KafkaConsumer("cases.lifecycle", bootstrap_servers=kafka,
                             auto_offset_reset="earliest", consumer_timeout_ms=500)
    found: list[tuple[int, str]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(found) < count and time.monotonic() < deadline:
            for record in consumer:
                if record.key == case_id.encode():
                    payload: Any = decode(record.headers, record.value, record.key).payload
                    found.append((payload.case_version, payload.to_status.value))
    finally:
        consumer.close()
    return found


def test_two_workers_share_idempotency_and_keep_each_case_s_order(
        postgres_url: str, kafka_bootstrap: str, tmp_path: Path) -> None:
    database = ServiceDatabase(schema(), postgres_url)
    database.migrate()  # once, before the workers start, as a deployment's migrate job
    key = ApiKeyStore(database.engine).create("staff.workers", Role.STAFF)
    staff = {"Authorization": f"Bearer {key}"}
    first, second = worker(postgres_url, kafka_bootstrap), worker(postgres_url, kafka_bootstrap)
    try:
        once = {**staff, "Idempotency-Key": f"workers-{uuid.uuid4()}"}
        filed = httpx.post(f"{first.url}/v1/cases", json=make_case_body(), headers=once)
        again = httpx.post(f"{second.url}/v1/cases", json=make_case_body(), headers=once)
        assert filed.status_code == 201, filed.text
        assert (again.status_code, again.json()) == (201, filed.json()), "the first answer"

        both = {**staff, "Idempotency-Key": f"workers-{uuid.uuid4()}"}
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda w: httpx.post(
                f"{w.url}/v1/cases", json=make_case_body(), headers=both), (first, second)))
        ids = {a.json().get("id") for a in answers if a.status_code == 201}
        assert len(ids) == 1, [a.text for a in answers]
        assert all(a.status_code in (201, 409) for a in answers), [a.text for a in answers]

        case_id = filed.json()["id"]
        moves = [(second, "triaged"), (first, "in_progress"), (second, "resolved"),
                 (first, "in_progress"), (second, "resolved"), (first, "closed")]
        for at, status in moves:
            moved = httpx.post(f"{at.url}/v1/cases/{case_id}/status", headers=staff,
                               json={"to": status, "reason": "worked on by two workers"})
            assert moved.status_code == 200, moved.text
        assert lifecycle_versions(kafka_bootstrap, case_id, len(moves)) == [
            (version, status) for version, (_, status) in enumerate(moves, start=2)]
        listed = httpx.get(f"{first.url}/v1/cases?limit=200", headers=staff).json()["items"]
        assert len(listed) == 2, "two cases filed, under two keys"
    finally:
        first.stop()
        second.stop()
