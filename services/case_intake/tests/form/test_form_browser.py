"""The resident form in a real browser (Debian's chromium under Playwright): it works
with JavaScript off, attributes QR visits, shows GOV.UK-style errors, and axe-core finds
no WCAG 2.2 A/AA violations on any page state."""

from __future__ import annotations

import pytest

from civic.http.auth import Role
from civic_testing import LiveServer, artefact_path, axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def server(client):  # type: ignore[no-untyped-def]
    with LiveServer(client.app) as live:
        yield live


def _assert_accessible(page, url: str, label: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url) if url else None
    violations = axe_violations(page)
    page.screenshot(path=artefact_path(f"form-{label}.png"), full_page=True)
    assert violations == [], f"{label}: {violations}"


def _fill(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Food", exact=True).check()
    page.get_by_label("Money", exact=True).check()
    page.get_by_label("In the next few days").check()
    page.get_by_label("How many people live in your home, including you?").fill("3")
    page.get_by_label("How many of them are under 18?").fill("1")
    page.locator("#disability-2").check()
    page.locator("#internet-1").check()
    page.get_by_label("Postcode", exact=True).fill("nw1 0aa")
    page.get_by_label("Full name").fill("Ada Example")
    page.get_by_label("Phone number").fill("020 7974 4444")
    page.get_by_label("Day", exact=True).fill("2")
    page.get_by_label("Month", exact=True).fill("4")
    page.get_by_label("Year", exact=True).fill("1961")


def test_a_resident_asks_for_help_with_javascript_off(client, server, pages, as_):
    page, _checker = pages
    page.goto(f"{server.url}/request-help?source=winter-warmth-2026")
    assert page.title() == "Ask for help \N{EN DASH} London Borough of Camden"

    page.get_by_role("button", name="Send request").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error: ")
    assert "Select what you need help with" in summary.inner_text()
    page.screenshot(path=artefact_path("form-errors-no-js.png"), full_page=True)
    # each summary link points at its question
    href = summary.get_by_role("link", name="Select what you need help with").get_attribute("href")
    assert href == "#categories"

    _fill(page)
    page.get_by_label("I have read how you will use my information").check()
    page.get_by_label("I agree that the organisation that helps can have my name").check()
    page.get_by_role("button", name="Send request").click()
    assert page.locator("h1").inner_text() == "Request sent"
    reference = page.locator(".reference").inner_text()

    page.goto(f"{server.url}/check-progress?reference={reference}")
    assert "We have your request" in page.locator(".inset").inner_text()

    cases = client.get("/v1/cases", headers=as_("staff")).json()["items"]
    assert len(cases) == 1
    detail = client.get(f"/v1/cases/{cases[0]['id']}", headers=as_("staff")).json()
    assert detail["channel"] == "qr" and detail["source"] == "winter-warmth-2026"
    assert detail["lsoa_code"] == "E01000947"
    assert detail["consent"]["share_with_partners"] is True
    assert detail["contact"]["date_of_birth"] == "1961-04-02"


def test_every_page_state_passes_axe(server, pages):
    _page, checker = pages
    _assert_accessible(checker, f"{server.url}/request-help", "empty")
    checker.get_by_role("button", name="Send request").click()
    _assert_accessible(checker, "", "errors")
    _fill(checker)
    checker.get_by_label("Postcode").fill("not a postcode")
    checker.get_by_role("button", name="Send request").click()
    assert "Enter a real postcode" in checker.locator(".error-summary").inner_text()
    _assert_accessible(checker, "", "postcode-error")
    checker.get_by_label("Postcode").fill("NW1 0AA")
    checker.get_by_label("I have read how you will use my information").check()
    checker.get_by_role("button", name="Send request").click()
    _assert_accessible(checker, "", "confirmation")
    _assert_accessible(checker, f"{server.url}/check-progress", "check-progress")
    _assert_accessible(checker, f"{server.url}/staff/sign-in", "staff-sign-in")
    _assert_accessible(checker, f"{server.url}/check-progress?reference=not-ours",
                       "check-progress-error")
    assert "Enter the reference" in checker.locator(".error-summary").inner_text()
    checker.goto(f"{server.url}/staff/sign-in")
    checker.get_by_label("Staff API key").fill("wrong")
    checker.get_by_role("button", name="Sign in").click()
    assert "Enter a staff API key" in checker.locator(".error-summary").inner_text()
    _assert_accessible(checker, "", "staff-sign-in-error")


def test_staff_take_a_call_in_phone_mode(client, server, pages, as_):
    page, checker = pages
    key = client.app.state.api_keys.create("staff.phone-desk", Role.STAFF)
    page.goto(f"{server.url}/staff/request-help")
    assert page.locator("h1").inner_text() == "Sign in as council staff"
    page.get_by_label("Staff API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Take a request for help by phone"
    _fill(page)
    page.get_by_label("Vital interests: the caller or someone else is at risk").check()
    page.get_by_role("button", name="Send request").click()
    assert page.locator("h1").inner_text() == "Request sent"
    assert "Read the reference to the caller" in page.content()

    case = client.get("/v1/cases", headers=as_("staff")).json()["items"][0]
    detail = client.get(f"/v1/cases/{case['id']}", headers=as_("staff")).json()
    assert detail["channel"] == "phone"
    assert detail["consent"]["lawful_basis"] == "vital_interests"
    assert detail["consent"]["share_with_partners"] is False
    history = client.get(f"/v1/cases/{case['id']}/history", headers=as_("staff")).json()
    assert history[0]["actor_id"] == "staff.phone-desk"

    checker.context.add_cookies(page.context.cookies())
    _assert_accessible(checker, f"{server.url}/staff/request-help", "phone-mode")


def test_a_double_submit_files_one_case(client, server, pages, as_):
    page, _ = pages
    page.goto(f"{server.url}/request-help")
    _fill(page)
    page.get_by_label("I have read how you will use my information").check()
    page.get_by_role("button", name="Send request").click()
    first = page.locator(".reference").inner_text()
    page.reload()  # the browser re-posts the same form, with the same form token
    assert page.locator(".reference").inner_text() == first
    assert len(client.get("/v1/cases", headers=as_("staff")).json()["items"]) == 1


def test_the_axe_check_can_fail(pages):
    """Guards the guard: a page with an unlabelled field must be reported."""
    _, checker = pages
    checker.set_content('<html lang="en"><head><title>t</title></head><body><main>'
                        '<input type="text"></main></body></html>')
    assert "label" in {v["id"] for v in axe_violations(checker)}
