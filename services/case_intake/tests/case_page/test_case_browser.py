"""The case page in a real browser (Debian's chromium under Playwright): with JavaScript
off, a member of staff opens a case from the queue, reads why it scored as it did, shows
the contact details for a stated purpose, triages it and notes it; axe-core finds no
WCAG 2.2 A/AA violations on the page, with the details shown, in each action's error
state, after erasure, on the not-found page and on the refused-form page."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from case_intake.case_page.band_overrides import BandOverrides
from case_intake.settings import Settings
from civic.http.auth import Role
from civic_testing import LiveServer, artefact_path, axe_violations

from ..conftest import browser_settings
from ..staff_queue.test_queue_page import ref, scored_case

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return browser_settings(tmp_path)


def test_staff_work_a_case_without_javascript_and_every_state_passes_axe(
        client, new_case, pages) -> None:  # type: ignore[no-untyped-def]
    case_id = scored_case(client, new_case, "high", 62)
    unplaced = new_case(location={"postcode": "SW1A 1AA"})["id"]
    client.app.state.container.band_overrides = BandOverrides(
        "http://scoring.test", "civic_key",
        transport=httpx.MockTransport(lambda _request: httpx.Response(201, json={})))
    page, checker = pages
    key = client.app.state.api_keys.create("staff.case-desk", Role.STAFF)
    with LiveServer(client.app) as server:
        page.goto(f"{server.url}/staff/queue")
        page.get_by_label("Staff API key").fill(key)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{server.url}/staff/queue")
        page.get_by_role("link", name=f"Case {ref(case_id)}").click()
        assert page.locator("h1").inner_text() == f"Case {ref(case_id)}"
        assert page.get_by_role("cell", name="Help is needed today.").is_visible()
        assert "Ada Example" not in page.content()

        page.get_by_label("Why do you need them?").fill("Calling back to arrange food")
        page.get_by_role("button", name="Show contact details").click()
        assert "Ada Example" in page.content()
        page.get_by_label("Move the case to").select_option("triaged")
        page.get_by_label("Reason").first.fill("Checked the details")
        page.get_by_role("button", name="Change status").click()
        assert "status was changed" in page.content() and "Ada Example" not in page.content()
        page.get_by_label("Note").fill("Left a voicemail")
        page.get_by_role("button", name="Add note").click()
        assert page.get_by_text("Left a voicemail").is_visible()

        checker.context.add_cookies(page.context.cookies())
        here = f"{server.url}/staff/cases/{case_id}"

        def submit(button: str, **fields: str) -> Callable[[], None]:
            def act() -> None:
                checker.goto(here)
                for label, value in fields.items():
                    checker.get_by_label(label.replace("_", " ")).first.fill(value)
                checker.get_by_role("button", name=button).click()
            return act

        states: list[tuple[str, Callable[[], None]]] = [
            ("case", lambda: checker.goto(here)),
            ("case-contact", submit("Show contact details",
                                    Why_do_you_need_them="Checking the address")),
            ("case-contact-error", submit("Show contact details")),
            ("case-status-error", submit("Change status")),
            ("case-band-error", submit("Override the band", Why_this_band="short")),
            ("case-note-error", submit("Add note")),
            ("case-erase-error", submit("Erase personal data")),
            ("case-place", lambda: checker.goto(f"{server.url}/staff/cases/{unplaced}")),
            ("case-place-error", lambda: (checker.goto(f"{server.url}/staff/cases/{unplaced}"),
                                          checker.get_by_role("button",
                                                              name="Place the case").click())),
            ("case-not-found", lambda: checker.goto(f"{server.url}/staff/cases/nothing")),
            ("case-done", lambda: checker.goto(f"{here}?done=note")),
            ("case-form-refused", lambda: (
                checker.goto(here),
                checker.eval_on_selector_all("input[name=csrf_token]",
                                             "inputs => inputs.forEach(i => i.value = 'x')"),
                checker.get_by_role("button", name="Add note").click())),
        ]
        for label, reach in states:
            reach()
            violations = axe_violations(checker)
            checker.screenshot(path=artefact_path(f"{label}.png"), full_page=True)
            assert violations == [], f"{label}: {violations}"
            if label.endswith("-error"):
                assert "There is a problem" in checker.content(), label
        assert "We could not accept that form" in checker.content(), "the last: refused"

        checker.goto(here)
        checker.get_by_label("Reason").last.fill("Erasure request SAR-114")
        checker.get_by_label("I understand this cannot be undone").check()
        checker.get_by_role("button", name="Erase personal data").click()
        assert "personal data was erased" in checker.content()
        assert axe_violations(checker) == []
