"""Across services on a real broker: a member of staff signed in to case intake's case
page overrides a band. Case intake sends it to the running need scoring service in the
staff member's name (its own key, listed as a delegating caller, with Civic-Acting-For);
need scoring records the decision as theirs and publishes the new verdict; case intake's
read model takes it from cases.scored and the case page shows the band set by staff.

Both services' consumer groups start where their topics end now, as for services that
have read everything before: new groups would first replay every case and score the run
has put on the broker, and by the end of ``make test`` case intake's replay of
cases.scored outlasted the wait for the override (seen in 2 of 4 runs after the
need-scoring suite).

Seen to fail with the Civic-Acting-For header left out of case intake's request (the
decision was recorded as staff.case-intake's)."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import httpx
import pytest

from case_intake.app import create_app as create_intake
from case_intake.scores.service import TOPICS as SCORE_TOPICS
from case_intake.settings import Settings as IntakeSettings
from civic.http.auth import Role
from civic_testing import LiveServer, start_group_at_end, unique_group
from need_scoring.app import create_app as create_scoring
from need_scoring.settings import POLICIES
from need_scoring.settings import Settings as ScoringSettings

pytestmark = [pytest.mark.broker, pytest.mark.slow]

RELAY = "staff.case-intake"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LOW_NEED_CASE = {
    "channel": "phone", "categories": ["digital_access"], "urgency": "can_wait",
    "household": {"people": 2, "children": 0, "lives_alone": False,
                  "disability_or_long_term_condition": False, "no_internet_access": False},
    "contact": {"name": "Override Example", "phone": "020 7974 7001"},
    "location": {"postcode": "NW1 0AA"},
    "consent": {"lawful_basis": "public_task", "share_with_partners": True,
                "terms_version": "2026-10"},
}


def _page_until(browser: httpx.Client, url: str, text: str, timeout_s: float = 30) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        page = browser.get(url).text
        if text in page or time.monotonic() > deadline:
            return page
        time.sleep(0.3)


def test_a_band_override_from_the_case_page_is_recorded_as_the_staff_member_s(
        kafka_bootstrap: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    version = f"need-2026.11-page{uuid.uuid4().hex[:6]}"
    policy.write_text((POLICIES / "need-2026.11.yaml").read_text().replace(
        "version: need-2026.11", f"version: {version}"))
    start_group_at_end(kafka_bootstrap, f"need-scoring.{version}",
                       ["cases.submitted", "cases.lifecycle", "need-scoring.band-overrides"])
    intake_group = unique_group("intake")
    start_group_at_end(kafka_bootstrap, intake_group, SCORE_TOPICS)
    scoring = create_scoring(ScoringSettings(
        kafka_bootstrap_servers=kafka_bootstrap, policy_file=policy, apply_topics=False,
        data_dir=tmp_path / "faust", delegating_callers=frozenset({RELAY}),
        database_url=f"sqlite:///{tmp_path}/scoring.db"))
    relay_key = scoring.state.api_keys.create(RELAY, Role.STAFF)
    ops = {"Authorization": f"Bearer {scoring.state.api_keys.create('ops.t', Role.OPS)}"}
    with LiveServer(scoring) as scoring_server:
        intake = create_intake(IntakeSettings(
            database_url=f"sqlite:///{tmp_path}/intake.db",
            kafka_bootstrap_servers=kafka_bootstrap, apply_topics=False, tune_gc=False,
            environment="dev", consumer_group=intake_group,
            need_scoring_url=scoring_server.url, need_scoring_api_key=relay_key))
        with LiveServer(intake) as intake_server, httpx.Client(
                base_url=intake_server.url) as browser:
            staff_key = intake.state.api_keys.create("staff.alice", Role.STAFF)
            filed = browser.post("/v1/cases", json=LOW_NEED_CASE,
                                 headers={"Authorization": f"Bearer {staff_key}"})
            assert filed.status_code == 201, filed.text
            case_id = filed.json()["id"]
            token = CSRF.search(browser.get("/staff/sign-in").text).group(1)  # type: ignore[union-attr]
            assert browser.post("/staff/sign-in", data={"api_key": staff_key,
                                                        "csrf_token": token}).status_code == 303
            here = f"/staff/cases/{case_id}"
            page = _page_until(browser, here, "need, score")
            assert '<strong class="tag tag--low">Low</strong> need' in page, "scored low"

            reason = "Housebound after a fall; no one else can collect shopping."
            sent = browser.post(f"{here}/band", data={
                "csrf_token": CSRF.search(page).group(1),  # type: ignore[union-attr]
                "band": "high", "override_reason": reason}, follow_redirects=False)
            assert sent.status_code == 303, sent.text
            page = _page_until(browser, here, "A member of staff set this band")
            assert '<strong class="tag tag--high">High</strong> need' in page
            assert reason not in page, "the reason stays with need scoring"

        decisions = httpx.get(f"{scoring_server.url}/v1/cases/{case_id}/band-overrides",
                              headers=ops).json()
        assert [(d["band"], d["overridden_by"], d["reason"]) for d in decisions] == [
            ("high", "staff.alice", reason)]
