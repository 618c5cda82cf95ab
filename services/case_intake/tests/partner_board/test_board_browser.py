"""The partner pages in a real browser (Debian's chromium under Playwright). With
JavaScript off a partner signs in, sees the board, claims a case, finds the consented
contact details among its cases and marks the case in progress; axe-core finds no
WCAG 2.2 A/AA violations (nor best-practice ones) on the board, its error state (a case
another partner took first), an empty board, the partner's cases (with and without the
release form's error) and the sign-in page (with and without its error).

Mutation seen to fail: the claim button's form without its hidden CSRF field (the
browser's claim got the 403 page, not the partner's cases)."""

from __future__ import annotations

import pytest

from case_intake.settings import Settings
from civic_testing import LiveServer, artefact_path, axe_violations

from ..conftest import browser_settings
from .test_board_page import RESIDENT, claimable, partner_key, ref

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    """The board refreshes every second with JavaScript on."""
    return browser_settings(tmp_path, live_refresh_seconds=1)


def _no_violations(page, label: str) -> None:  # type: ignore[no-untyped-def]
    violations = axe_violations(page)
    page.screenshot(path=artefact_path(f"partner-{label}.png"), full_page=True)
    assert violations == [], f"{label}: {violations}"


def test_a_partner_claims_and_works_a_case_without_javascript_and_every_state_passes_axe(
        client, new_case, as_, pages) -> None:  # type: ignore[no-untyped-def]
    urgent = claimable(client, new_case, as_, "urgent", 80)
    high = claimable(client, new_case, as_, "high", 60)
    private = claimable(client, new_case, as_, "low", 10, consent={
        "lawful_basis": "public_task", "share_with_partners": False,
        "terms_version": "2026-10"})
    key = partner_key(client, "partner.browser")
    page, checker = pages
    with LiveServer(client.app) as server:
        page.goto(f"{server.url}/partner/board")
        assert page.locator("h1").inner_text() == "Sign in as a partner"
        page.get_by_label("Partner API key").fill(key)
        page.get_by_role("button", name="Sign in").click()
        assert page.locator("h1").inner_text() == "Cases you can claim"
        rows = page.locator("tbody th .board__reference")
        assert rows.all_inner_texts() == [ref(urgent), ref(high), ref(private)]
        assert RESIDENT[0] not in page.content()
        page.get_by_role("button", name=f"Claim case {ref(urgent)}").click()
        assert page.locator("h1").inner_text() == "Your cases"
        assert f"You have claimed case {ref(urgent)}." in page.content()
        for detail in RESIDENT:
            assert detail in page.content(), detail
        page.get_by_role("button", name=f"Mark in progress case {ref(urgent)}").click()
        assert f"Case {ref(urgent)} is marked in progress." in page.content()
        assert page.get_by_role("button", name=f"Mark resolved case {ref(urgent)}").count() == 1
        page.goto(f"{server.url}/partner/board")
        page.get_by_role("button", name=f"Claim case {ref(private)}").click()
        assert "You will not see how to reach this resident" in page.content()

        checker.context.add_cookies(page.context.cookies())
        checker.goto(f"{server.url}/partner/board")
        _no_violations(checker, "board")
        taken = client.post(f"/v1/cases/{high}/claim", headers=as_("other_partner"))
        assert taken.status_code == 200, taken.text
        checker.get_by_role("button", name=f"Claim case {ref(high)}").click()
        assert "There is a problem" in checker.content()
        assert "Another partner holds this case." in checker.content()
        _no_violations(checker, "board-error")
        # With JavaScript on, the board shown after a refused claim (at the claim's POST
        # address) still refreshes itself, from the board's own address.
        fresh = claimable(client, new_case, as_, "urgent", 90)
        checker.get_by_role("button", name=f"Claim case {ref(fresh)}").wait_for()
        assert "Updated at" in checker.locator("#live-status").inner_text()
        assert client.post(f"/v1/cases/{fresh}/claim",
                           headers=as_("other_partner")).status_code == 200
        checker.goto(f"{server.url}/partner/board")
        assert "There are no cases for you to claim just now." in checker.content()
        _no_violations(checker, "board-empty")

        checker.goto(f"{server.url}/partner/cases")
        _no_violations(checker, "cases")
        checker.get_by_role("button", name=f"Release case {ref(private)}").click()
        assert "There is a problem" in checker.content()
        _no_violations(checker, "cases-errors")

        checker.goto(f"{server.url}/partner/sign-in")
        _no_violations(checker, "sign-in")
        checker.get_by_label("Partner API key").fill("civic_not-a-key")
        checker.get_by_role("button", name="Sign in").click()
        assert "There is a problem" in checker.content()
        _no_violations(checker, "sign-in-error")
