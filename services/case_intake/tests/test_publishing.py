"""Publishing through the outbox to a real Kafka-protocol broker, including while the
broker is down: every accepted case is published once it returns, none lost, and a
case's event keeps its id however many times the relay has to try."""

from __future__ import annotations

import time
from collections import defaultdict

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer

from case_intake.app import create_app
from case_intake.settings import Settings
from civic.contracts import MalformedEvent, decode
from civic.http.auth import Role
from civic.kafka.broker import EmbeddedBroker, free_port
from civic.kafka.topics import TopicRegistry
from civic_testing import assert_bus_clean

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def _submitted_events(bootstrap: str, want: set[str], timeout_s: float = 30) -> dict[str, set[str]]:
    """case id -> the event ids seen for it on cases.submitted."""
    consumer = KafkaConsumer("cases.submitted", bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             consumer_timeout_ms=1000)
    seen: dict[str, set[str]] = defaultdict(set)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and not want <= set(seen):
            for record in consumer:
                try:
                    event = decode(record.headers, record.value, record.key)
                except MalformedEvent:
                    continue  # other tests on the shared broker send poison on purpose
                seen[str(event.payload.case_id)].add(event.id)  # type: ignore[attr-defined]
    finally:
        consumer.close()
    return seen


def _wait_for_empty_outbox(app, timeout_s: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while app.state.container.relay.backlog() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert app.state.container.relay.backlog() == 0, "outbox did not drain"


def test_a_case_reaches_the_broker_as_a_cloudevent_without_personal_data(
        kafka_bootstrap, tmp_path, case_body):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/intake.db",
                        kafka_bootstrap_servers=kafka_bootstrap)
    app = create_app(settings)
    with TestClient(app) as client:
        key = app.state.api_keys.create("staff.test", Role.STAFF)
        created = client.post("/v1/cases", json=case_body(),
                              headers={"Authorization": f"Bearer {key}"}).json()
        _wait_for_empty_outbox(app)
    consumer = KafkaConsumer("cases.submitted", bootstrap_servers=kafka_bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=3000)
    records = [r for r in consumer if r.key == created["id"].encode()]
    consumer.close()
    assert len(records) == 1
    headers = dict(records[0].headers)
    assert headers["ce_type"] == b"civic.case.submitted.v1"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["content-type"] == b"application/json"
    assert headers["ce_source"] == b"/civic/case-intake"
    for secret in (b"Ada", b"7974", b"example.org", b"1961", b"cupboards", b"NW1 0AA"):
        assert secret not in records[0].value
        assert all(secret not in v for v in headers.values())


def test_cases_accepted_while_the_broker_is_down_are_all_published_after_it_returns(
        tmp_path, case_body):
    port = free_port()
    broker = EmbeddedBroker(port=port).start()
    TopicRegistry.load().apply(broker.bootstrap_servers)
    settings = Settings(database_url=f"sqlite:///{tmp_path}/intake.db",
                        kafka_bootstrap_servers=broker.bootstrap_servers)
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            key = app.state.api_keys.create("staff.test", Role.STAFF)
            headers = {"Authorization": f"Bearer {key}"}
            assert client.post("/v1/cases", json=case_body(), headers=headers).status_code == 201
            _wait_for_empty_outbox(app)

            assert_bus_clean(broker.bootstrap_servers)  # the run's scanner never sees it
            broker.stop()
            during = []
            for _ in range(10):
                response = client.post("/v1/cases", json=case_body(), headers=headers)
                assert response.status_code == 201
                during.append(response.json()["id"])
            assert app.state.container.relay.backlog() >= 1
            assert client.get("/readyz").status_code == 503

            # the same address again; the in-memory broker lost everything, so re-apply
            broker = EmbeddedBroker(port=port).start()
            TopicRegistry.load().apply(broker.bootstrap_servers)
            _wait_for_empty_outbox(app, timeout_s=60)
            assert client.get("/readyz").status_code == 200

            seen = _submitted_events(broker.bootstrap_servers, set(during))
            assert set(during) <= set(seen), f"missing: {set(during) - set(seen)}"
            for case_id in during:
                assert len(seen[case_id]) == 1, "a case was republished under a new event id"
            assert_bus_clean(broker.bootstrap_servers)
    finally:
        broker.stop()


def test_the_relay_runs_as_its_own_process_and_stops_on_sigterm(kafka_bootstrap, tmp_path,
                                                                case_body):
    import os
    import signal
    import subprocess
    import sys

    db = f"sqlite:///{tmp_path}/intake.db"
    settings = Settings(database_url=db, kafka_bootstrap_servers=kafka_bootstrap,
                        run_relay=False, tune_gc=False)
    app = create_app(settings)
    with TestClient(app) as client:
        key = app.state.api_keys.create("staff.test", Role.STAFF)
        ids = {client.post("/v1/cases", json=case_body(),
                           headers={"Authorization": f"Bearer {key}"}).json()["id"]
               for _ in range(3)}
        assert app.state.container.relay.backlog() == 3  # nobody relays inside this process
        relay = subprocess.Popen(
            [sys.executable, "-m", "case_intake", "relay"],
            env={**os.environ, "CASE_INTAKE_DATABASE_URL": db,
                 "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            _wait_for_empty_outbox(app)
            assert ids <= set(_submitted_events(kafka_bootstrap, ids))
        finally:
            relay.send_signal(signal.SIGTERM)
            output, _ = relay.communicate(timeout=30)
        assert relay.returncode == 0, output[-2000:]


def test_every_event_about_a_case_carries_its_version_rising_with_each_change(
        kafka_bootstrap, tmp_path, case_body):
    """A consumer orders a case's events by version, so a late one cannot undo a later
    change. Seen to fail with the version left off the lifecycle events (None) and with
    it read before the change was flushed (each event then carried the version before
    its change: 1 twice)."""
    settings = Settings(database_url=f"sqlite:///{tmp_path}/intake.db",
                        kafka_bootstrap_servers=kafka_bootstrap)
    app = create_app(settings)
    with TestClient(app) as client:
        key = app.state.api_keys.create("staff.test", Role.STAFF)
        staff = {"Authorization": f"Bearer {key}"}
        case_id = client.post("/v1/cases", json=case_body(), headers=staff).json()["id"]
        for to in ("triaged", "in_progress", "resolved", "in_progress", "closed"):
            response = client.post(f"/v1/cases/{case_id}/status", headers=staff,
                                   json={"to": to, "reason": "as the work went"})
            assert response.status_code == 200, response.text
        assert client.post(f"/v1/cases/{case_id}/erasure", headers=staff,
                           json={"reason": "request ref 42"}).status_code == 200
        _wait_for_empty_outbox(app)
    consumer = KafkaConsumer("cases.submitted", "cases.lifecycle",
                             bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest",
                             consumer_timeout_ms=3000)
    events = [decode(r.headers, r.value, r.key) for r in consumer
              if r.key == case_id.encode()]
    consumer.close()
    by_version = sorted(((e.payload.case_version, e.type,  # type: ignore[attr-defined]
                          getattr(e.payload, "to_status", None)) for e in events),
                        key=lambda v: v[0] or 0)
    assert by_version == [
        (1, "civic.case.submitted.v1", None),
        (2, "civic.case.status_changed.v1", "triaged"),
        (3, "civic.case.status_changed.v1", "in_progress"),
        (4, "civic.case.status_changed.v1", "resolved"),
        (5, "civic.case.status_changed.v1", "in_progress"),
        (6, "civic.case.status_changed.v1", "closed"),
        (7, "civic.case.erased.v1", None),
    ]
