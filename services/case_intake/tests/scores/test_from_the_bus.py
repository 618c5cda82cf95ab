"""The score read model on the real broker, in a running case intake: a score published
on cases.scored arrives; an older score published after it is read and ignored; a case
erased through the API leaves the read model, and a score for it arriving afterwards
does not bring it back.

"Read and ignored" is shown by the consumer group's committed offset passing the stale
event (offsets are committed only after handling), not by waiting and hoping.

Mutation seen to fail: the consumer group not started (no score arrived)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaAdminClient, KafkaProducer, TopicPartition

from case_intake.app import create_app
from case_intake.settings import Settings
from civic.contracts import encode
from civic.http.auth import Role
from civic_testing import LiveServer

from ..conftest import make_case_body
from .test_read_model import T0, held, score_event

pytestmark = [pytest.mark.broker]
WITHIN = 60.0  # a new group reads every earlier test's scores first


def until(check: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WITHIN
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {WITHIN:g} s: {what}")


def test_scores_arrive_stale_ones_are_ignored_and_erased_cases_leave(
        kafka_bootstrap: str, tmp_path: Path) -> None:
    group = f"intake-scores-{uuid.uuid4().hex[:8]}"
    app = create_app(Settings(
        database_url=f"sqlite:///{tmp_path}/intake.db", kafka_bootstrap_servers=kafka_bootstrap,
        apply_topics=False, run_relay=False, tune_gc=False, consumer_group=group))
    staff = {"Authorization": "Bearer " + app.state.api_keys.create("staff.bus", Role.STAFF)}
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)

    def publish(**score: Any) -> tuple[str, TopicPartition, int]:
        """As need scoring publishes: the event id, and where it landed."""
        record = encode(score_event(**score).payload, source="urn:need-scoring-test")
        sent = producer.send(record.topic, key=record.key, value=record.value,
                             headers=record.headers).get(timeout=20)
        event_id = dict(record.headers)["ce_id"].decode()
        return event_id, TopicPartition(sent.topic, sent.partition), sent.offset

    def handled(tp: TopicPartition, offset: int) -> bool:
        committed = admin.list_group_offsets({group: [tp]}).get(group, {})
        return tp in committed and committed[tp].offset > offset

    try:
        with LiveServer(app) as server:
            case_id = httpx.post(f"{server.url}/v1/cases", json=make_case_body(),
                                 headers=staff).json()["id"]
            newer_id, _, _ = publish(case_id=case_id, at=T0 + timedelta(minutes=5), score=70)
            until(lambda: (row := held(app, case_id)) is not None and row.event_id,
                  "the score arrived")
            _, tp, stale_offset = publish(case_id=case_id, at=T0, score=40, band="medium")
            until(lambda: handled(tp, stale_offset), "the stale score was read")
            row = held(app, case_id)
            assert row is not None and (row.score, row.event_id) == (70, newer_id)

            erased = httpx.post(f"{server.url}/v1/cases/{case_id}/erasure",
                                json={"reason": "resident asked"}, headers=staff)
            assert erased.status_code == 200, erased.text
            assert held(app, case_id) is None, "the erased case left at once"
            _, tp, late_offset = publish(case_id=case_id, at=T0 + timedelta(hours=1))
            until(lambda: handled(tp, late_offset), "the late score was read")
            assert held(app, case_id) is None, "a late score did not bring it back"
    finally:
        producer.close()
        admin.close()
