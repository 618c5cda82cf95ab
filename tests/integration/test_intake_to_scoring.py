"""Across services on a real broker: a case filed through case intake's HTTP API is
relayed to cases.submitted and scored by need scoring, with contributions that add up
to the score; withdrawing it in intake takes it out of open need."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest
from kafka import KafkaConsumer

from case_intake.app import create_app as create_intake
from case_intake.settings import Settings as IntakeSettings
from civic.contracts.envelope import decode
from civic.contracts.scoring import CaseScored
from civic.http.auth import Role
from civic.testing import LiveServer
from need_scoring.app import create_app as create_scoring
from need_scoring.settings import POLICIES
from need_scoring.settings import Settings as ScoringSettings

pytestmark = [pytest.mark.broker, pytest.mark.slow]

CASE = {
    "channel": "phone", "categories": ["medicine"], "urgency": "today",
    "household": {"people": 1, "children": 0, "lives_alone": True,
                  "disability_or_long_term_condition": True, "no_internet_access": True},
    "contact": {"name": "Ada Example", "phone": "020 7974 4444"},
    "location": {"postcode": "NW1 0AA"},
    "consent": {"lawful_basis": "public_task", "share_with_partners": False,
                "terms_version": "2026-10"},
    "details": "No medicine since Tuesday.",
}


def _score_of(bootstrap: str, case_id: str, timeout_s: float = 30) -> CaseScored:
    consumer = KafkaConsumer("cases.scored", bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=500)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            for record in consumer:
                if record.key == case_id.encode():
                    payload = decode(record.headers, record.value, record.key).payload
                    assert isinstance(payload, CaseScored)
                    return payload
    finally:
        consumer.close()
    raise AssertionError(f"no score for {case_id} within {timeout_s}s")


def test_a_case_filed_through_intake_is_scored_and_explained(
        kafka_bootstrap: str, tmp_path: Path) -> None:
    version = f"need-2026.11-e2e{uuid.uuid4().hex[:6]}"
    policy = tmp_path / "policy.yaml"
    policy.write_text((POLICIES / "need-2026.11.yaml").read_text()
                      .replace("version: need-2026.11", f"version: {version}"))
    intake = create_intake(IntakeSettings(database_url=f"sqlite:///{tmp_path}/intake.db",
                                          kafka_bootstrap_servers=kafka_bootstrap,
                                          apply_topics=False, tune_gc=False))
    scoring = create_scoring(ScoringSettings(kafka_bootstrap_servers=kafka_bootstrap,
                                             policy_file=policy, apply_topics=False,
                                             data_dir=tmp_path / "faust"))
    with LiveServer(intake) as intake_server, LiveServer(scoring):
        key = intake.state.api_keys.create("staff.e2e", Role.STAFF)
        response = httpx.post(f"{intake_server.url}/v1/cases", json=CASE,
                              headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 201, response.text
        case_id = response.json()["id"]
        scored = _score_of(kafka_bootstrap, case_id)
    assert scored.policy_version == version
    assert sum(c.points for c in scored.contributions) == scored.score
    reasons = {c.factor: c.reason for c in scored.contributions}
    assert reasons["kind_of_need"].startswith("Needs help with medicine")
    assert reasons["urgency"] == "The resident asked for help today. 30 of 30 points."
    assert scored.band == "urgent"
