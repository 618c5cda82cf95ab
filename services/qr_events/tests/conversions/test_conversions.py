"""QR events' consumer group on the real broker: a case whose `source` names a code is
that code's conversion, once however often the event comes; an erased case's conversion
goes; malformed events on qr.codes and cases.submitted go to their dead-letter topics
and consumption carries on.

Mutations seen to fail: the conversion insert without ON CONFLICT DO NOTHING (the
redelivered event raised, was retried, then dead-lettered), and ignoring CaseErased."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, KafkaProducer

from civic.contracts import encode
from civic.contracts.cases import CaseErased, CaseSubmitted
from civic.http.auth import ensure_dev_keys
from qr_events.app import create_app
from qr_events.settings import Settings

pytestmark = [pytest.mark.broker, pytest.mark.slow]
EXAMPLE = (Path(__file__).resolve().parents[4] / "shared/contracts/examples"
           / "civic.case.submitted.v1/qr-referred.json")


def submitted(code: str) -> CaseSubmitted:
    data = json.loads(EXAMPLE.read_text()) | {
        "case_id": str(uuid.uuid4()), "source": f"qr-{code.lower()}",
        "submitted_at": datetime.now(UTC).isoformat()}
    return CaseSubmitted.model_validate(data)


def conversions(client: TestClient, code: str, staff: dict[str, str]) -> int:
    return int(client.get(f"/v1/codes/{code}/stats", headers=staff)
               .json()["totals"]["conversions"])


def until(condition: Any, what: str, timeout_s: float = 40) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def dead_letters(bootstrap: str, topic: str, key: bytes) -> list[dict[str, bytes]]:
    consumer = KafkaConsumer(f"{topic}.dlq", bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=3000)
    found = [dict(r.headers) for r in consumer if r.key == key]
    consumer.close()
    return found


def test_conversions_erasures_and_dead_letters(kafka_bootstrap, tmp_path, body, staff):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/qr.db",
                              kafka_bootstrap_servers=kafka_bootstrap,
                              public_base_url="https://qr.camden.example"))
    ensure_dev_keys(app.state.container.database.engine)
    raw = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    poison_key = uuid.uuid4().hex.encode()
    with TestClient(app) as client:
        code = client.post("/v1/codes", json=body(), headers=staff).json()["code"]
        for topic in ("qr.codes", "cases.submitted"):
            raw.send(topic, key=poison_key, value=b"not an event",
                     headers=[("ce_type", b"civic.qr.code_changed.v2")])
        case = submitted(code)
        record = encode(case, source="/civic/case-intake")
        for _ in range(2):  # a redelivery: the same event id twice
            raw.send("cases.submitted", key=record.key, value=record.value,
                     headers=record.headers)
        raw.flush()
        until(lambda: conversions(client, code, staff) == 1, "no conversion counted")
        erased = encode(CaseErased(case_id=case.case_id, erased_at=datetime.now(UTC)),
                        source="/civic/case-intake")
        raw.send("cases.lifecycle", key=erased.key, value=erased.value,
                 headers=erased.headers)
        raw.flush()
        until(lambda: conversions(client, code, staff) == 0, "the erased case still counts")
    raw.close()
    for topic in ("qr.codes", "cases.submitted"):
        dead = dead_letters(kafka_bootstrap, topic, poison_key)
        assert len(dead) == 1, (topic, dead)
        assert dead[0]["civic_dlq_source_topic"] == topic.encode()
