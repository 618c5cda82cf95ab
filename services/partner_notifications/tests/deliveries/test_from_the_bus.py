"""From the real broker to a real receiver, in one running service: a case submitted
and scored on the bus is delivered to the matching subscriber, and a record that is not
an event goes to the dead-letter topic once while delivery carries on.

Mutation seen to fail: the consumer group not started (nothing was delivered)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer
from standardwebhooks.webhooks import Webhook

from civic.contracts import encode
from civic.http.auth import ensure_dev_keys
from civic_testing import LiveServer
from partner_notifications.app import create_app
from partner_notifications.settings import Settings

from .conftest import KENTISH_TOWN, Platform, scored, submitted

pytestmark = [pytest.mark.broker]


def test_a_case_on_the_bus_is_delivered_and_a_poison_record_dead_lettered(
        kafka_bootstrap: str, tmp_path: Path, receiver) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/partners.db",
                              kafka_bootstrap_servers=kafka_bootstrap, apply_topics=False,
                              consumer_group=f"pn-bus-{uuid.uuid4().hex[:8]}"))
    ensure_dev_keys(app.state.container.database.engine)
    poison_key = uuid.uuid4().hex.encode()
    with LiveServer(app) as server:
        platform = Platform(server.url, app)
        partner = platform.partner("partner.bus", [KENTISH_TOWN], ["food"])
        sub = platform.subscribe(partner, f"{receiver.url}/bus")
        raw = KafkaProducer(bootstrap_servers=kafka_bootstrap)
        raw.send("cases.scored", key=poison_key, value=b"not an event",
                 headers=[("ce_type", b"civic.case.scored.v2")])
        case = submitted()
        for record in (encode(case, source="urn:test"), encode(scored(case), source="urn:test")):
            raw.send(record.topic, key=record.key, value=record.value, headers=record.headers)
        raw.flush()
        raw.close()
        deadline = time.monotonic() + 60
        mine: list[dict[str, object]] = []
        while not mine and time.monotonic() < deadline:
            mine = [Webhook(sub["secret"]).verify(body, headers)
                    for body, headers in list(receiver.got["/bus"])]
            mine = [m for m in mine if m["data"]["case_ref"] == str(case.case_id)]  # type: ignore[index]
            time.sleep(0.2)
        # The poison record's partition may be read after the case's (a full run's broker
        # holds every other test's cases ahead of it): look until it has been dead-lettered.
        dead: list[dict[str, bytes]] = []
        deadline = time.monotonic() + 90
        while not dead and time.monotonic() < deadline:
            consumer = KafkaConsumer("cases.scored.dlq", bootstrap_servers=kafka_bootstrap,
                                     auto_offset_reset="earliest", consumer_timeout_ms=3000)
            dead = [dict(r.headers) for r in consumer if r.key == poison_key]
            consumer.close()
    assert [m["type"] for m in mine] == ["case.scored"]
    assert len(dead) == 1 and dead[0]["civic_dlq_source_topic"] == b"cases.scored"
