"""Two worker processes on one PostgreSQL database and the real broker: both serve
every code, a destination change made on one reaches the other within a second (through
qr.codes), and no scan is published twice.

Mutation seen to fail: the worker's view not following qr.codes (the change never
reached the other worker)."""

from __future__ import annotations

import time
from collections import Counter

import httpx
import pytest
from kafka import KafkaConsumer

from civic.contracts import MalformedEvent, decode
from civic.contracts.qr import QrScanned
from civic.db import ServiceDatabase
from civic.http.auth import ensure_dev_keys
from qr_events.database import schema

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow]
STAFF = {"Authorization": "Bearer civic_dev_staff_key"}
WARM = "https://www.camden.gov.uk/warm-spaces"


SCANS: Counter[str] = Counter()


def location(url: str, code: str) -> str | None:
    SCANS[code] += 1
    answer = httpx.get(f"{url}/q/{code}", follow_redirects=False, timeout=5)
    return answer.headers.get("location") if answer.status_code == 302 else None


def test_two_workers_serve_every_code_and_every_change(start_worker, kafka_bootstrap,
                                                       postgres_url, body):
    database = ServiceDatabase(schema(), postgres_url)
    database.migrate()
    ensure_dev_keys(database.engine)
    env = {"QR_EVENTS_DATABASE_URL": postgres_url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "QR_EVENTS_RUN_CONSUMERS": "true"}
    first, second = start_worker(env), start_worker(env)
    code = httpx.post(f"{first.url}/v1/codes", json=body(), headers=STAFF).json()["code"]
    deadline = time.monotonic() + 10
    while location(second.url, code) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert location(second.url, code) is not None, "the new code never reached worker two"

    changed = httpx.post(f"{first.url}/v1/codes/{code}/destination", headers=STAFF,
                         json={"destination": {"kind": "url", "url": WARM}})
    assert changed.status_code == 200
    started = time.monotonic()
    while location(second.url, code) != WARM and time.monotonic() - started < 5:
        time.sleep(0.02)
    reached_in = time.monotonic() - started
    assert location(first.url, code) == WARM
    assert reached_in < 1.0, f"worker two served the change after {reached_in:.2f} s"

    for worker in (first, second):
        for _ in range(25):
            assert location(worker.url, code) == WARM
    ids: Counter[str] = Counter()
    consumer = KafkaConsumer("qr.scans", bootstrap_servers=kafka_bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=1000)
    deadline = time.monotonic() + 30
    while sum(ids.values()) < SCANS[code] and time.monotonic() < deadline:
        for record in consumer:
            try:
                payload = decode(record.headers, record.value, record.key).payload
            except MalformedEvent:
                continue
            if isinstance(payload, QrScanned) and payload.short_code == code:
                ids[str(payload.scan_id)] += 1
    consumer.close()
    assert sum(ids.values()) == SCANS[code] and max(ids.values()) == 1, ids.most_common(3)
    database.dispose()
