"""The staff queue in a real browser (Debian's chromium under Playwright): a staff
member signs in, narrows the queue with JavaScript off, and axe-core finds no WCAG 2.2
A/AA violations on the queue, its error state or an empty result."""

from __future__ import annotations

import pytest

from case_intake.settings import Settings
from civic.http.auth import Role
from civic_testing import LiveServer, artefact_path, axe_violations

from ..conftest import browser_settings
from .test_queue_page import ref, scored_case

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return browser_settings(tmp_path)


def test_staff_narrow_the_queue_without_javascript_and_every_state_passes_axe(
        client, new_case, pages) -> None:  # type: ignore[no-untyped-def]
    money = scored_case(client, new_case, "urgent", 80, categories=["money"])
    food = scored_case(client, new_case, "high", 60, categories=["food"])
    page, checker = pages
    key = client.app.state.api_keys.create("staff.queue-desk", Role.STAFF)
    with LiveServer(client.app) as server:
        page.goto(f"{server.url}/staff/queue")
        page.get_by_label("Staff API key").fill(key)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{server.url}/staff/queue")
        assert page.locator("h1").inner_text() == "Open cases by need"
        rows = page.locator("tbody th .queue__reference")
        assert rows.all_inner_texts() == [ref(money), ref(food)]
        page.get_by_label("Help with").select_option("food")
        page.get_by_role("button", name="Show cases").click()
        assert rows.all_inner_texts() == [ref(food)]

        checker.context.add_cookies(page.context.cookies())
        for label, query in (("queue", ""), ("queue-filtered-empty", "?category=housing"),
                             ("queue-errors", "?unclaimed_hours=soon&ward=nowhere")):
            checker.goto(f"{server.url}/staff/queue{query}")
            violations = axe_violations(checker)
            checker.screenshot(path=artefact_path(f"{label}.png"), full_page=True)
            assert violations == [], f"{label}: {violations}"
        assert "There is a problem" in checker.content()
