"""The resident form: server-rendered, works with JavaScript off, follows GOV.UK Design
System patterns (short form, error summary, plain English). Staff use the same form in
"phone mode" while they take a call (assisted digital)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from case_intake.cases.filing import CaseFiling
from case_intake.dependencies import ApiKeys, Cases, Config, Filing
from case_intake.form.fields import CATEGORY_LABELS, URGENCY_LABELS, parse
from case_intake.settings import Settings
from civic.errors import DomainError
from civic.http.auth import ApiKeyStore, Principal, Role

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
STAFF_COOKIE = "civic_staff_key"
SOURCE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
RESIDENT = Principal("resident.web-form", Role.RESIDENT)


def _render(request: Request, settings: Settings, name: str, status: int = 200,
            **context: object) -> HTMLResponse:
    context.setdefault("council", settings.council_name)
    return templates.TemplateResponse(request, name, context, status_code=status)


def _form_page(request: Request, settings: Settings, *, staff: Principal | None,
               values: Mapping[str, object], errors: list[tuple[str, str]] | None = None,
               status: int = 200) -> HTMLResponse:
    return _render(request, settings, "request_help.html", status, staff=staff, values=values,
                   errors=errors or [], error_map=dict(errors or []),
                   categories=CATEGORY_LABELS, urgencies=URGENCY_LABELS)


def _staff(request: Request, api_keys: ApiKeyStore) -> Principal | None:
    key = request.cookies.get(STAFF_COOKIE)
    principal = api_keys.lookup(key) if key else None
    return principal if principal and principal.role == Role.STAFF else None


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
def staff_request_help(request: Request, settings: Config, api_keys: ApiKeys) -> Response:
    staff = _staff(request, api_keys)
    if staff is None:
        return RedirectResponse("/staff/sign-in", status_code=303)
    return _form_page(request, settings, staff=staff,
                      values={"form_token": secrets.token_urlsafe(16)})


@router.post("/request-help", response_class=HTMLResponse)
async def submit(request: Request, settings: Config, filing: Filing) -> HTMLResponse:
    return await _submit(request, settings, filing, staff=None)


@router.post("/staff/request-help", response_class=HTMLResponse, response_model=None)
async def staff_submit(request: Request, settings: Config, filing: Filing,
                       api_keys: ApiKeys) -> Response:
    staff = _staff(request, api_keys)
    if staff is None:
        return RedirectResponse("/staff/sign-in", status_code=303)
    return await _submit(request, settings, filing, staff=staff)


async def _submit(request: Request, settings: Settings, filing: CaseFiling,
                  staff: Principal | None) -> HTMLResponse:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "categories"}
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
        _status, created = filing.create(result.case, staff or RESIDENT, key)
    except DomainError as exc:
        return _form_page(request, settings, staff=staff, values=values,
                          errors=[("details", exc.detail or exc.title)], status=exc.status)
    return _render(request, settings, "confirmation.html", staff=staff,
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
    return _render(request, settings, "check_progress.html", 422 if error else 200,
                   reference=reference or "", progress=progress, error=error)


@router.get("/staff/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, settings: Config) -> HTMLResponse:
    return _render(request, settings, "staff_sign_in.html", error=None)


@router.post("/staff/sign-in", response_class=HTMLResponse, response_model=None)
def sign_in(request: Request, settings: Config, api_keys: ApiKeys,
            api_key: Annotated[str, Form(max_length=200)] = "") -> Response:
    principal = api_keys.lookup(api_key.strip()) if api_key.strip() else None
    if principal is None or principal.role != Role.STAFF:
        return _render(request, settings, "staff_sign_in.html", 422,
                       error="Enter a staff API key that has not been revoked")
    response = RedirectResponse("/staff/request-help", status_code=303)
    response.set_cookie(STAFF_COOKIE, api_key.strip(), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", max_age=12 * 3600)
    return response


@router.post("/staff/sign-out")
def sign_out() -> RedirectResponse:
    response = RedirectResponse("/staff/sign-in", status_code=303)
    response.delete_cookie(STAFF_COOKIE)
    return response
