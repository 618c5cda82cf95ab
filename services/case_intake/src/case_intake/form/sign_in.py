"""Signing in with an API key, for staff and for partners alike: the page (its CSRF a
signed double submit, since no session exists yet) and the form's POST. Each role is a
``Door``: its cookies, their path, its words and where it lands; the session rules are
``case_intake.staff_sessions``'s, one service per role."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from case_intake.form.pages import render
from case_intake.form.staff_web import (
    COOKIE_PATH,
    PARTNER_COOKIE_PATH,
    PARTNER_SESSION_COOKIE,
    PARTNER_SIGN_IN_COOKIE,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    clear_cookie,
    clear_legacy_cookie,
    csrf_refused,
    set_cookie,
)
from case_intake.settings import Settings
from case_intake.staff_sessions.service import StaffSessionService
from civic.errors import NotAllowed


@dataclass(frozen=True)
class Door:
    session_cookie: str
    sign_in_cookie: str
    path: str  # the cookies' path: only this role's pages receive them
    heading: str
    intro: str
    key_label: str
    landing: str  # where a new session starts
    refusal: str  # the csrf_refused page's wording for this sign-in form
    # staff browsers may still hold the raw key from before sessions (LEGACY_COOKIE)
    clears_legacy_cookie: bool = False


STAFF = Door(SESSION_COOKIE, SIGN_IN_COOKIE, COOKIE_PATH, "Sign in as council staff",
             "For phone mode, the queue of open cases and the case pages.", "Staff API key",
             "/staff/request-help", "sign-in", clears_legacy_cookie=True)
PARTNER = Door(PARTNER_SESSION_COOKIE, PARTNER_SIGN_IN_COOKIE, PARTNER_COOKIE_PATH,
               "Sign in as a partner", "Sign in to see the cases in your wards that you "
               "can claim, and the cases you hold.", "Partner API key", "/partner/board",
               "partner-sign-in")


def sign_in_page(request: Request, settings: Settings, sessions: StaffSessionService,
                 door: Door, *, error: str | None = None, notice: str | None = None,
                 status: int = 200) -> HTMLResponse:
    # Before any session exists, CSRF is a signed double submit: a nonce in a
    # pre-session cookie and its signature in the form's hidden field.
    nonce, field = sessions.sign_in_form(request.cookies.get(door.sign_in_cookie))
    response = render(request, settings, "sign_in.html", status, error=error,
                      notice=notice, csrf_token=field, heading=door.heading,
                      intro=door.intro, action=f"{door.path}/sign-in",
                      key_label=door.key_label)
    set_cookie(response, settings, door.sign_in_cookie, nonce, path=door.path)
    return response


def sign_in(request: Request, settings: Settings, sessions: StaffSessionService, door: Door,
            api_key: str, csrf_token: str) -> Response:
    if not sessions.sign_in_form_matches(request.cookies.get(door.sign_in_cookie),
                                         csrf_token):
        return csrf_refused(request, settings, door.refusal)
    try:
        started = sessions.sign_in(api_key.strip(),
                                   replacing=request.cookies.get(door.session_cookie))
    except NotAllowed as exc:
        return sign_in_page(request, settings, sessions, door, error=exc.detail, status=422)
    response = RedirectResponse(door.landing, status_code=303)
    set_cookie(response, settings, door.session_cookie, started.cookie,
               max_age=int(sessions.absolute.total_seconds()), path=door.path)
    clear_cookie(response, settings, door.sign_in_cookie, path=door.path)
    if door.clears_legacy_cookie:
        clear_legacy_cookie(response)
    return response
