"""The resident form: server-rendered, works with JavaScript off, follows GOV.UK Design
System patterns (short form, error summary, plain English). Staff use the same form in
"phone mode" while they take a call (assisted digital)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from case_intake.cases.filing import CaseFiling
from case_intake.dependencies import Cases, Config, Filing, StaffCheck, StaffSessions
from case_intake.form import sign_in
from case_intake.form.fields import CATEGORY_LABELS, URGENCY_LABELS, parse
from case_intake.form.pages import render
from case_intake.form.staff_web import (
    SESSION_COOKIE,
    csrf_refused,
    sign_in_notice,
    to_sign_in,
)
from case_intake.settings import Settings
from case_intake.staff_sessions.service import StaffSession
from civic.errors import DomainError
from civic.http.auth import Principal, Role

router = APIRouter(include_in_schema=False)
SOURCE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
RESIDENT = Principal("resident.web-form", Role.RESIDENT)


def _form_page(request: Request, settings: Settings, *, staff: StaffSession | None,
               values: Mapping[str, object], errors: list[tuple[str, str]] | None = None,
               status: int = 200) -> HTMLResponse:
    return render(request, settings, "request_help.html", status,
                   staff=staff.principal if staff else None,
                   csrf_token=staff.csrf_token if staff else "", values=values,
                   errors=errors or [], error_map=dict(errors or []),
                   categories=CATEGORY_LABELS, urgencies=URGENCY_LABELS)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/request-help", status_code=303)


@router.get("/request-help", response_class=HTMLResponse)
def request_help(request: Request, settings: Config,
                 source: Annotated[str | None, Query(max_length=80)] = None) -> HTMLResponse:
    # A mistyped source on a poster must never stop someone asking for help: drop it.
    clean = source if source and SOURCE_RE.match(source) else ""
    return _form_page(request, settings, staff=None,
                      values={"source": clean, "form_token": secrets.token_urlsafe(16)})


@router.get("/staff/request-help", response_class=HTMLResponse, response_model=None)
def staff_request_help(request: Request, settings: Config, check: StaffCheck) -> Response:
    if check.session is None:
        return to_sign_in(settings, check.ended)
    return _form_page(request, settings, staff=check.session,
                      values={"form_token": secrets.token_urlsafe(16)})


@router.post("/request-help", response_class=HTMLResponse)
async def submit(request: Request, settings: Config, filing: Filing) -> HTMLResponse:
    # No CSRF token here, on purpose: this form carries no ambient authority. It reads no
    # cookie and files as the anonymous resident, so a forged cross-site post can do
    # nothing its sender could not do by posting the form directly. A token would need a
    # cookie, and a resident whose browser blocks cookies must still be able to ask for
    # help. (Staff cookies are scoped to /staff and SameSite=Strict besides.)
    return await _submit(request, settings, filing, staff=None)


@router.post("/staff/request-help", response_class=HTMLResponse, response_model=None)
async def staff_submit(request: Request, settings: Config, filing: Filing,
                       sessions: StaffSessions, check: StaffCheck) -> Response:
    if check.session is None:
        return to_sign_in(settings, check.ended)
    token = (await request.form()).get("csrf_token")
    if not sessions.csrf_matches(check.session, token if isinstance(token, str) else None):
        return csrf_refused(request, settings, "staff-form")
    return await _submit(request, settings, filing, staff=check.session)


async def _submit(request: Request, settings: Settings, filing: CaseFiling,
                  staff: StaffSession | None) -> HTMLResponse:
    form = await request.form()
    values = {k: v for k, v in form.items()
              if isinstance(v, str) and k not in ("categories", "csrf_token")}
    categories = [v for v in form.getlist("categories") if isinstance(v, str)]
    values["categories"] = categories  # type: ignore[assignment]
    if values.get("source") and not SOURCE_RE.match(str(values["source"])):
        values["source"] = ""
    result = parse(values, categories, staff=staff is not None,
                   terms_version=settings.terms_version)
    if result.case is None:
        return _form_page(request, settings, staff=staff, values=values,
                          errors=result.summary(), status=422)
    token = str(values.get("form_token") or "")
    key = f"form-{token}" if 16 <= len(token) <= 64 else None
    try:
        _status, created = filing.create(result.case, staff.principal if staff else RESIDENT,
                                         key)
    except DomainError as exc:
        return _form_page(request, settings, staff=staff, values=values,
                          errors=[("details", exc.detail or exc.title)], status=exc.status)
    return render(request, settings, "confirmation.html",
                   staff=staff.principal if staff else None,
                   csrf_token=staff.csrf_token if staff else "",
                   reference=created["receipt_token"], placed=created["location"]["resolved"])


@router.get("/check-progress", response_class=HTMLResponse)
def check_progress(request: Request, settings: Config, cases: Cases,
                   reference: Annotated[str | None, Query(max_length=64)] = None) -> HTMLResponse:
    progress, error = None, None
    if reference is not None:
        found = cases.receipt_status(reference.strip())
        if found is None:
            error = "Enter the reference from your confirmation page, like 4dA9-xYz…"
        else:
            progress = found.message
    return render(request, settings, "check_progress.html", 422 if error else 200,
                   reference=reference or "", progress=progress, error=error)


@router.get("/staff/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, settings: Config, sessions: StaffSessions,
                 ended: str | None = None) -> HTMLResponse:
    return sign_in.sign_in_page(request, settings, sessions, sign_in.STAFF,
                                notice=sign_in_notice(settings, ended))


@router.post("/staff/sign-in", response_class=HTMLResponse, response_model=None)
def staff_sign_in(request: Request, settings: Config, sessions: StaffSessions,
                  api_key: Annotated[str, Form(max_length=200)] = "",
                  csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    return sign_in.sign_in(request, settings, sessions, sign_in.STAFF, api_key, csrf_token)


@router.post("/staff/sign-out", response_model=None)
def sign_out(request: Request, settings: Config, sessions: StaffSessions, check: StaffCheck,
             csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    if check.session is None:
        return to_sign_in(settings, check.ended)  # nothing left to end
    # Without the token another site could sign staff out mid-call.
    if not sessions.csrf_matches(check.session, csrf_token):
        return csrf_refused(request, settings, "sign-out")
    sessions.sign_out(request.cookies.get(SESSION_COOKIE))
    return to_sign_in(settings, "signed-out")
