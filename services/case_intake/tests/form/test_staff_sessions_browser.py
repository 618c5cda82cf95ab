"""Phone mode's sessions in a real browser (Debian's chromium under Playwright): staff
sign in and out with JavaScript off, the cookie is HttpOnly and SameSite=Strict, an old
cookie replayed after sign-out or an idle timeout leads back to sign-in with a clear
message, and a post without its CSRF token gets a plain 403 page.

Each guarantee was seen to fail once with it broken; the mutation is in the docstring."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civic.http.auth import Role
from civic_testing import LiveServer, artefact_path, axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def server(client):  # type: ignore[no-untyped-def]
    with LiveServer(client.app) as live:
        yield live


@pytest.fixture
def staff_key(client) -> str:  # type: ignore[no-untyped-def]
    return client.app.state.api_keys.create("staff.phone-desk", Role.STAFF)  # type: ignore[no-any-return]


@pytest.fixture
def contexts(browser):  # type: ignore[no-untyped-def]
    """(no_js, with_js) browser contexts; staff forms must work with JavaScript off."""
    no_js = browser.new_context(java_script_enabled=False)
    with_js = browser.new_context()
    for context in (no_js, with_js):
        context.set_default_timeout(5_000)
    yield no_js, with_js
    no_js.close()
    with_js.close()


def _sign_in(page, server, key: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/staff/request-help")
    assert page.locator("h1").inner_text() == "Sign in as council staff"
    page.get_by_label("Staff API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Take a request for help by phone"


def _session_cookie(context) -> dict:  # type: ignore[no-untyped-def,type-arg]
    (cookie,) = [c for c in context.cookies() if c["name"] == "civic_staff_session"]
    return cookie  # type: ignore[no-any-return]


def _notice(page) -> str:  # type: ignore[no-untyped-def]
    assert page.locator("h1").inner_text() == "Sign in as council staff"
    banner = page.get_by_role("region", name="Important")
    return banner.locator("p").inner_text()  # type: ignore[no-any-return]


def test_sign_in_and_out_and_the_old_cookie_no_longer_works(server, contexts,
                                                           staff_key):  # type: ignore[no-untyped-def]
    """Seen to fail when sign_out() deleted no row (the replayed cookie signed in
    again), and with httponly=False or samesite="lax" on the cookie."""
    context, _ = contexts
    page = context.new_page()
    _sign_in(page, server, staff_key)
    cookie = _session_cookie(context)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/staff"
    assert cookie["secure"] is False  # CIVIC_ENV=dev: the test server speaks plain http
    assert staff_key not in cookie["value"]
    assert "civic_staff_key" not in {c["name"] for c in context.cookies()}

    page.get_by_role("button", name="Sign out").click()
    assert _notice(page) == "You have signed out."
    assert "civic_staff_session" not in {c["name"] for c in context.cookies()}

    context.add_cookies([cookie])  # replay the cookie from before sign-out
    page.goto(f"{server.url}/staff/request-help")
    assert "Your session has ended" in _notice(page)
    page.screenshot(path=artefact_path("staff-session-ended.png"), full_page=True)


def test_an_idle_session_ends_with_a_clear_message(client, server, contexts,
                                                   staff_key):  # type: ignore[no-untyped-def]
    """The server's clock moves 31 minutes on. Seen to fail with the idle check
    removed from StaffSessionService._still_live."""
    context, checker = contexts
    page = context.new_page()
    _sign_in(page, server, staff_key)
    page.get_by_label("Food", exact=True).check()
    sessions = client.app.state.container.staff_sessions
    moved = sessions.clock() + timedelta(minutes=31)
    sessions.clock = lambda: moved
    page.get_by_role("button", name="Send request").click()  # the call took too long
    assert _notice(page) == ("You were signed out because phone mode was not used for 30 "
                             "minutes. Sign in again to carry on.")
    assert len(client.get("/v1/cases", headers={
        "Authorization": f"Bearer {staff_key}"}).json()["items"]) == 0
    checker_page = checker.new_page()
    checker_page.goto(page.url)
    violations = axe_violations(checker_page)
    checker_page.screenshot(path=artefact_path("staff-sign-in-idle.png"), full_page=True)
    assert violations == []

    page.get_by_label("Staff API key").fill(staff_key)  # and sign in again
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Take a request for help by phone"


def test_a_post_without_its_csrf_token_gets_a_plain_403(client, server, contexts,
                                                        staff_key):  # type: ignore[no-untyped-def]
    """Seen to fail with the CSRF check skipped in staff_submit (the case was filed)
    and in sign_out (staff were signed out)."""
    _, context = contexts  # JavaScript on, to take the token out of the page
    page = context.new_page()
    _sign_in(page, server, staff_key)

    answer = page.request.post(f"{server.url}/staff/request-help",
                               form={"categories": "food", "urgency": "today"},
                               max_redirects=0)
    assert answer.status == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert "without its security code" in answer.text()
    assert page.request.post(f"{server.url}/staff/sign-out", form={},
                             max_redirects=0).status == 403

    page.goto(f"{server.url}/staff/request-help")  # still signed in
    page.locator("main input[name=csrf_token]").evaluate("e => e.remove()")
    page.get_by_label("Food", exact=True).check()
    page.get_by_role("button", name="Send request").click()
    assert page.locator("h1").inner_text() == "We could not accept that form"
    assert "Nothing was saved" in page.locator("main").inner_text()
    violations = axe_violations(page)
    page.screenshot(path=artefact_path("staff-csrf-refused.png"), full_page=True)
    assert violations == []
    assert client.get("/v1/cases", headers={
        "Authorization": f"Bearer {staff_key}"}).json()["items"] == []


def test_sign_in_needs_the_pre_session_token(server, contexts, staff_key):  # type: ignore[no-untyped-def]
    """Seen to fail with the double-submit check skipped in sign_in."""
    context, _ = contexts
    page = context.new_page()
    page.goto(f"{server.url}/staff/sign-in")
    context.clear_cookies()  # the pre-session cookie is gone (or never arrived)
    page.get_by_label("Staff API key").fill(staff_key)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "We could not accept that form"
    assert "civic_staff_session" not in {c["name"] for c in context.cookies()}
    page.get_by_role("link", name="Go to the sign-in page").click()
    page.get_by_label("Staff API key").fill(staff_key)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Take a request for help by phone"
