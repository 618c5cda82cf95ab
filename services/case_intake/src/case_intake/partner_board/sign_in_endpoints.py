"""``/partner/sign-in`` and ``/partner/sign-out``: partners sign in with their API key
to the same kind of session as staff (``case_intake.staff_sessions``, one instance per
role), with cookies of their own scoped to ``/partner``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from case_intake.dependencies import Config, PartnerCheck, PartnerSessions
from case_intake.form.pages import render
from case_intake.form.staff_web import (
    PARTNER_COOKIE_PATH,
    PARTNER_SESSION_COOKIE,
    PARTNER_SIGN_IN_COOKIE,
    clear_cookie,
    csrf_refused,
    set_cookie,
)
from case_intake.partner_board.web import sign_in_notice, to_sign_in
from case_intake.settings import Settings
from civic.errors import NotAllowed

router = APIRouter(include_in_schema=False)


@router.get("/partner/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, settings: Config, sessions: PartnerSessions,
                 ended: str | None = None) -> HTMLResponse:
    return _sign_in_page(request, settings, sessions, notice=sign_in_notice(settings, ended))


def _sign_in_page(request: Request, settings: Settings, sessions: PartnerSessions, *,
                  error: str | None = None, notice: str | None = None,
                  status: int = 200) -> HTMLResponse:
    # Before any session exists, CSRF is a signed double submit, as for staff.
    nonce, field = sessions.sign_in_form(request.cookies.get(PARTNER_SIGN_IN_COOKIE))
    response = render(request, settings, "sign_in.html", status, error=error,
                      notice=notice, csrf_token=field, heading="Sign in as a partner",
                      intro="Sign in to see the cases in your wards that you can claim, and "
                      "the cases you hold.", action="/partner/sign-in",
                      key_label="Partner API key")
    set_cookie(response, settings, PARTNER_SIGN_IN_COOKIE, nonce, path=PARTNER_COOKIE_PATH)
    return response


@router.post("/partner/sign-in", response_class=HTMLResponse, response_model=None)
def sign_in(request: Request, settings: Config, sessions: PartnerSessions,
            api_key: Annotated[str, Form(max_length=200)] = "",
            csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    if not sessions.sign_in_form_matches(request.cookies.get(PARTNER_SIGN_IN_COOKIE),
                                         csrf_token):
        return csrf_refused(request, settings, "partner-sign-in")
    try:
        started = sessions.sign_in(api_key.strip(),
                                   replacing=request.cookies.get(PARTNER_SESSION_COOKIE))
    except NotAllowed as exc:
        return _sign_in_page(request, settings, sessions, error=exc.detail, status=422)
    response = RedirectResponse("/partner/board", status_code=303)
    set_cookie(response, settings, PARTNER_SESSION_COOKIE, started.cookie,
               max_age=int(sessions.absolute.total_seconds()), path=PARTNER_COOKIE_PATH)
    clear_cookie(response, settings, PARTNER_SIGN_IN_COOKIE, path=PARTNER_COOKIE_PATH)
    return response


@router.post("/partner/sign-out", response_model=None)
def sign_out(request: Request, settings: Config, sessions: PartnerSessions,
             check: PartnerCheck,
             csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    if check.session is None:
        return to_sign_in(settings, check.ended)  # nothing left to end
    # Without the token another site could sign a partner out mid-task.
    if not sessions.csrf_matches(check.session, csrf_token):
        return csrf_refused(request, settings, "partner-sign-out")
    sessions.sign_out(request.cookies.get(PARTNER_SESSION_COOKIE))
    return to_sign_in(settings, "signed-out")
