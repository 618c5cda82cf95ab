"""``/partner/sign-in`` and ``/partner/sign-out``: partners sign in with their API key
to the same kind of session as staff (``case_intake.staff_sessions``, one instance per
role), with cookies of their own scoped to ``/partner``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from case_intake.dependencies import Config, PartnerCheck, PartnerSessions
from case_intake.form import sign_in
from case_intake.form.staff_web import (
    PARTNER_SESSION_COOKIE,
    csrf_refused,
)
from case_intake.partner_board.web import sign_in_notice, to_sign_in

router = APIRouter(include_in_schema=False)


@router.get("/partner/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, settings: Config, sessions: PartnerSessions,
                 ended: str | None = None) -> HTMLResponse:
    return sign_in.sign_in_page(request, settings, sessions, sign_in.PARTNER,
                                notice=sign_in_notice(settings, ended))


@router.post("/partner/sign-in", response_class=HTMLResponse, response_model=None)
def partner_sign_in(request: Request, settings: Config, sessions: PartnerSessions,
                    api_key: Annotated[str, Form(max_length=200)] = "",
                    csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    return sign_in.sign_in(request, settings, sessions, sign_in.PARTNER, api_key,
                           csrf_token)


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
