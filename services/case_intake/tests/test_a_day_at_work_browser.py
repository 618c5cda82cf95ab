"""A day at work, in a real browser (Debian's chromium under Playwright), once with
JavaScript off and once with it on: a member of staff triages three cases from their
case pages, opens one and reads its score factor by factor, overrides a band, places a
case whose address could not be placed; a partner signs in, claims a case from the board
and sees the contact details the resident agreed to share; and a second member of staff,
whose queue is open all the while, sees the claim: by reloading with JavaScript off, and
without touching the page with it on.

Need scoring is faked at the HTTP boundary (it answers the override and publishes the
new verdict into the read model, as its consumer would); the override through the real
service is tests/integration/test_case_page_override.py.

Mutation seen to fail (JavaScript on): live.js's refresh disabled; the queue kept
"Nobody" in the claimed row."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from case_intake.case_page.band_overrides import BandOverrides
from case_intake.scores import repository as scores
from case_intake.scores.service import ScoreReadModel
from case_intake.settings import Settings
from civic.http.auth import Coverage, Role
from civic.reference import geography
from civic_testing import LiveServer

from .conftest import browser_settings
from .scores.test_read_model import score_event
from .staff_queue.test_queue_page import ref, scored_case

pytestmark = pytest.mark.browser
NAME, PHONE = "Ada Example", "020 7974 4444"  # conftest's VALID_CASE, consented


@pytest.fixture
def settings(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    """The pages refresh every second."""
    return browser_settings(tmp_path, live_refresh_seconds=1)


def _need_scoring_that_publishes(client) -> BandOverrides:  # type: ignore[no-untyped-def]
    database = client.app.state.container.database
    model = ScoreReadModel(database.engine, database.sessions)

    def answer(request: httpx.Request) -> httpx.Response:
        case_id = request.url.path.split("/")[3]
        band = json.loads(request.content)["band"]
        with database.sessions() as session:  # re-published with the score's own time
            scored_at = scores.current(session, case_id).scored_at  # type: ignore[union-attr]
        decided = datetime.now(UTC)
        model.handle(score_event(case_id, at=scored_at, score=40,
                                 band=band, override={"band": band, "override_id": 1,
                                                      "actor_role": "staff",
                                                      "overridden_at": decided}))
        return httpx.Response(201, json={})
    return BandOverrides("http://scoring.test", "civic_key",
                         transport=httpx.MockTransport(answer))


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript-off", "javascript-on"])
def test_a_day_of_triage_explanation_override_placing_and_claiming(
        client, new_case, browser, javascript: bool) -> None:  # type: ignore[no-untyped-def]
    cases = [scored_case(client, new_case, band, score)
             for band, score in (("urgent", 81), ("high", 62), ("medium", 40))]
    unplaced = new_case(location={"postcode": "SW1A 1AA"})["id"]
    client.app.state.container.band_overrides = _need_scoring_that_publishes(client)
    keys = client.app.state.api_keys
    alice, bob = keys.create("staff.alice", Role.STAFF), keys.create("staff.bob", Role.STAFF)
    partner = keys.create("partner.day-foodbank", Role.PARTNER, coverage=Coverage.everything())
    contexts = [browser.new_context(java_script_enabled=javascript) for _ in range(3)]
    for context in contexts:
        context.set_default_timeout(10_000)
    staff, colleague, volunteer = (context.new_page() for context in contexts)
    try:
        with LiveServer(client.app) as server:
            def sign_in(page, path: str, label: str, key: str) -> None:  # type: ignore[no-untyped-def]
                page.goto(f"{server.url}{path}")
                page.get_by_label(label).fill(key)
                page.get_by_role("button", name="Sign in").click()

            sign_in(staff, "/staff/sign-in", "Staff API key", alice)
            sign_in(colleague, "/staff/sign-in", "Staff API key", bob)
            colleague.goto(f"{server.url}/staff/queue")
            colleague.evaluate("window.stillTheSamePage = true") if javascript else None

            for case_id in cases:  # triage three, from the queue to each case page
                staff.goto(f"{server.url}/staff/queue")
                staff.get_by_role("link", name=f"Case {ref(case_id)}").click()
                staff.get_by_label("Move the case to").select_option("triaged")
                staff.get_by_label("Reason").first.fill("Checked by phone")
                staff.get_by_role("button", name="Change status").click()
                assert "status was changed" in staff.content()

            staff.goto(f"{server.url}/staff/cases/{cases[0]}")  # explain a score
            explained = staff.get_by_role("table", name="How the score was worked out")
            assert explained.get_by_role("cell", name="Help is needed today.").is_visible()
            assert explained.get_by_role("row").filter(has_text="Total").inner_text() \
                .split()[1] == "81"

            staff.goto(f"{server.url}/staff/cases/{cases[2]}")  # override a band
            staff.get_by_label("Band", exact=True).select_option("urgent")
            staff.get_by_label("Why this band").fill("Carer in hospital; nobody to shop.")
            staff.get_by_role("button", name="Override the band").click()
            assert "recorded your band override" in staff.content()
            assert "A member of staff set this band" in staff.content()

            staff.goto(f"{server.url}/staff/queue?needs_review=yes")  # place one
            staff.get_by_role("link", name=f"Case {ref(unplaced)}").click()
            ward_code, ward = sorted(geography().wards.items())[0]
            staff.get_by_label("Ward", exact=True).select_option(ward_code)
            staff.get_by_role("button", name="Place the case").click()
            assert "The case was placed." in staff.content()
            assert ward.name in staff.content()

            sign_in(volunteer, "/partner/sign-in", "Partner API key", partner)
            board = volunteer.locator("tbody th .board__reference").all_inner_texts()
            assert set(board) == {ref(c) for c in cases}, "the three triaged cases"
            assert NAME not in volunteer.content()
            volunteer.get_by_role("button", name=f"Claim case {ref(cases[1])}").click()
            assert NAME in volunteer.content() and PHONE in volunteer.content()

            claimed_row = colleague.get_by_role("row").filter(has_text=ref(cases[1]))
            if javascript:  # the open queue updates itself
                claimed_row.filter(has_text="partner.day-foodbank").wait_for()
                assert colleague.evaluate("window.stillTheSamePage") is True
                assert "Updated at" in colleague.locator("#live-status").inner_text()
            else:  # it is as it was, until reloaded
                assert "partner.day-foodbank" not in claimed_row.inner_text()
                colleague.reload()
                assert "partner.day-foodbank" in claimed_row.inner_text()
    finally:
        for context in contexts:
            context.close()
