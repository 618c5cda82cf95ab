"""Across services on a real broker: a case whose address could not be placed is filed
through case intake, scored without an area, then placed by staff through intake's API;
the placement travels on cases.lifecycle and need scoring publishes a new score whose
deprivation factor is the new small area's.

Seen to fail with need scoring's processor ignoring ``CasePlaced`` (its branch in
``CaseProcessor.handle`` removed): no second score came, and with case intake's
``outbox.enqueue`` of the placement removed (the same)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from kafka import KafkaConsumer

from case_intake.app import create_app as create_intake
from case_intake.settings import Settings as IntakeSettings
from civic.contracts.envelope import decode
from civic.contracts.scoring import CaseScored
from civic.http.auth import Role
from civic_testing import LiveServer
from need_scoring.app import create_app as create_scoring
from need_scoring.settings import POLICIES
from need_scoring.settings import Settings as ScoringSettings

pytestmark = [pytest.mark.broker, pytest.mark.slow]

CASE = {
    "channel": "phone", "categories": ["food"], "urgency": "this_week",
    "household": {"people": 2, "children": 0, "lives_alone": False,
                  "disability_or_long_term_condition": False, "no_internet_access": False},
    "contact": {"name": "Placed Example", "phone": "020 7974 5151"},
    "location": {"postcode": "SW1A 1AA"},  # Westminster: not in Camden's list
    "consent": {"lawful_basis": "public_task", "share_with_partners": False,
                "terms_version": "2026-10"},
}
# Cantelowes, a ward no other test files cases in (need scoring replays the whole broker
# in other tests); this small area is in IMD 2019 decile 2.
WARD, LSOA = "E05000131", "E01000868"


def _scores_of(bootstrap: str, case_id: str, until: Callable[[list[CaseScored]], bool],
               timeout_s: float = 45) -> list[CaseScored]:
    consumer = KafkaConsumer("cases.scored", bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=500)
    found: list[CaseScored] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and not until(found):
            for record in consumer:
                if record.key == case_id.encode():
                    payload = decode(record.headers, record.value, record.key).payload
                    assert isinstance(payload, CaseScored)
                    found.append(payload)
    finally:
        consumer.close()
    assert until(found), f"scores for {case_id} within {timeout_s}s: {found}"
    return found


def _deprivation(scored: CaseScored) -> tuple[object, int]:
    factor = next(c for c in scored.contributions if c.factor == "area_deprivation")
    return factor.input_value, factor.points


def test_a_case_placed_by_staff_is_scored_again_in_its_new_area(
        kafka_bootstrap: str, tmp_path: Path) -> None:
    version = f"need-2026.11-place{uuid.uuid4().hex[:6]}"
    policy = tmp_path / "policy.yaml"
    policy.write_text((POLICIES / "need-2026.11.yaml").read_text()
                      .replace("version: need-2026.11", f"version: {version}"))
    intake = create_intake(IntakeSettings(database_url=f"sqlite:///{tmp_path}/intake.db",
                                          kafka_bootstrap_servers=kafka_bootstrap,
                                          apply_topics=False, tune_gc=False))
    scoring = create_scoring(ScoringSettings(
        kafka_bootstrap_servers=kafka_bootstrap, policy_file=policy, apply_topics=False,
        data_dir=tmp_path / "faust", area_publish_seconds=1.0, area_publish_interval_s=1.0))
    with LiveServer(intake) as intake_server, LiveServer(scoring):
        key = intake.state.api_keys.create("staff.placing", Role.STAFF)
        staff = {"Authorization": f"Bearer {key}"}
        filed = httpx.post(f"{intake_server.url}/v1/cases", headers=staff, json=CASE)
        assert filed.status_code == 201, filed.text
        assert filed.json()["location"]["needs_review"] is True
        case_id = filed.json()["id"]
        first = _scores_of(kafka_bootstrap, case_id, until=lambda s: len(s) >= 1)[0]
        assert _deprivation(first) == (None, 0), "no small area yet: deprivation unknown"

        placed = httpx.post(f"{intake_server.url}/v1/cases/{case_id}/location",
                            headers=staff, json={"lsoa_code": LSOA})
        assert placed.status_code == 200, placed.text
        assert (placed.json()["ward_code"], placed.json()["needs_review"]) == (WARD, False)
        scores = _scores_of(kafka_bootstrap, case_id,
                            until=lambda s: any(_deprivation(x)[1] > 0 for x in s))
    again = next(s for s in scores if _deprivation(s)[1] > 0)
    assert _deprivation(again) == (2, 9), "decile 2: 0.9 of the factor's 10 points"
    reason = next(c.reason for c in again.contributions if c.factor == "area_deprivation")
    assert reason == ("Deprivation decile of the home's small area (IMD 2019; 1 is the most "
                      "deprived): 2. 9 of 10 points.")
    assert again.score == first.score + 9
    assert sum(c.points for c in again.contributions) == again.score
    assert again.scored_at > first.scored_at
    assert again.policy_version == version
