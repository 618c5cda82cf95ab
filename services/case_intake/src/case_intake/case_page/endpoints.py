"""``/staff/cases/{id}``: the case page, and its actions as plain form POSTs. Each
action checks the session's CSRF token, answers bad input with the GOV.UK error summary
(the page again, the problem named, what was typed kept), and on success redirects back
to the page (post/redirect/get), which says what was done."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from case_intake.case_page import forms
from case_intake.case_page.band_overrides import OverrideRefused
from case_intake.case_page.page import DONE, show
from case_intake.dependencies import (
    BandOverriding,
    CasePages,
    Cases,
    Config,
    Placing,
    StaffCheck,
    StaffSessions,
)
from case_intake.form.staff_web import csrf_refused, to_sign_in
from case_intake.settings import Settings
from case_intake.staff_sessions.service import SessionCheck, StaffSession
from civic.contracts.common import CaseStatus
from civic.errors import DomainError

router = APIRouter(prefix="/staff/cases", include_in_schema=False)
Text = Annotated[str, Form()]
# refusals about one field of a form name that field in the error summary
FIELD_OF = {"unknown-small-area": "lsoa", "small-area-outside-ward": "lsoa"}


@router.get("/{case_id}", response_model=None)
def case_page(request: Request, case_id: str, settings: Config, pages: CasePages,
              overrides: BandOverriding, check: StaffCheck, done: str = "") -> Response:
    if check.session is None:
        return to_sign_in(settings, check.ended)
    return show(request, settings, pages, overrides, check.session, case_id,
                notice=DONE.get(done))


@router.post("/{case_id}/contact", response_model=None)
def reveal_contact(request: Request, case_id: str, settings: Config, pages: CasePages,
                   overrides: BandOverriding, sessions: StaffSessions, check: StaffCheck,
                   csrf_token: Text = "", purpose: Text = "") -> Response:
    staff = _signed_in(request, settings, sessions, check, csrf_token)
    if not isinstance(staff, StaffSession):
        return staff
    problems = forms.purpose(purpose.strip())
    return show(request, settings, pages, overrides, staff, case_id,
                errors=problems, values={"purpose": purpose}, status=422 if problems else 200,
                reveal_for=None if problems else purpose.strip())


@router.post("/{case_id}/status", response_model=None)
def change_status(request: Request, case_id: str, settings: Config, pages: CasePages,
                  overrides: BandOverriding, cases: Cases, sessions: StaffSessions,
                  check: StaffCheck, csrf_token: Text = "", to: Text = "",
                  reason: Text = "") -> Response:
    staff = _signed_in(request, settings, sessions, check, csrf_token)
    if not isinstance(staff, StaffSession):
        return staff
    return _act(request, settings, pages, overrides, staff, case_id,
                forms.status_change(to, reason.strip()), {"to": to, "reason": reason},
                lambda: cases.change_status_as_staff(
                    case_id, CaseStatus(to), reason.strip(), staff.principal),
                done="status", field="to")


@router.post("/{case_id}/notes", response_model=None)
def add_note(request: Request, case_id: str, settings: Config, pages: CasePages,
             overrides: BandOverriding, cases: Cases, sessions: StaffSessions,
             check: StaffCheck, csrf_token: Text = "", text: Text = "") -> Response:
    staff = _signed_in(request, settings, sessions, check, csrf_token)
    if not isinstance(staff, StaffSession):
        return staff
    return _act(request, settings, pages, overrides, staff, case_id,
                forms.note(text.strip()), {"text": text},
                lambda: cases.add_note(case_id, text.strip(), staff.principal),
                done="note", field="text")


@router.post("/{case_id}/band", response_model=None)
def override_band(request: Request, case_id: str, settings: Config, pages: CasePages,
                  overrides: BandOverriding, sessions: StaffSessions, check: StaffCheck,
                  csrf_token: Text = "", band: Text = "",
                  override_reason: Text = "") -> Response:
    staff = _signed_in(request, settings, sessions, check, csrf_token)
    if not isinstance(staff, StaffSession):
        return staff
    return _act(request, settings, pages, overrides, staff, case_id,
                forms.band_override(band, override_reason.strip()),
                {"band": band, "override_reason": override_reason},
                lambda: overrides.override(case_id, band, override_reason.strip(),
                                           staff.principal),
                done="band", field="band")


@router.post("/{case_id}/place", response_model=None)
def place(request: Request, case_id: str, settings: Config, pages: CasePages,
          overrides: BandOverriding, placing: Placing, sessions: StaffSessions,
          check: StaffCheck, csrf_token: Text = "", ward: Text = "",
          lsoa: Text = "") -> Response:
    staff = _signed_in(request, settings, sessions, check, csrf_token)
    if not isinstance(staff, StaffSession):
        return staff
    ward, lsoa = ward.strip(), lsoa.strip().upper()
    return _act(request, settings, pages, overrides, staff, case_id,
                forms.placement(ward, lsoa), {"ward": ward, "lsoa": lsoa},
                lambda: placing.place(case_id, ward_code=ward or None, lsoa_code=lsoa or None,
                                      principal=staff.principal),
                done="place", field="ward")


@router.post("/{case_id}/erase", response_model=None)
def erase(request: Request, case_id: str, settings: Config, pages: CasePages,
          overrides: BandOverriding, cases: Cases, sessions: StaffSessions,
          check: StaffCheck, csrf_token: Text = "", erase_reason: Text = "",
          confirm: Text = "") -> Response:
    staff = _signed_in(request, settings, sessions, check, csrf_token)
    if not isinstance(staff, StaffSession):
        return staff
    return _act(request, settings, pages, overrides, staff, case_id,
                forms.erasure(erase_reason.strip(), confirm == "yes"),
                {"erase_reason": erase_reason},
                lambda: cases.erase(case_id, erase_reason.strip(), staff.principal),
                done="erase", field="erase_reason")


def _signed_in(request: Request, settings: Settings, sessions: StaffSessions,
               check: SessionCheck, csrf_token: str) -> StaffSession | Response:
    """The session, or the answer for a post without one or without its CSRF token."""
    if check.session is None:
        return to_sign_in(settings, check.ended)
    if not sessions.csrf_matches(check.session, csrf_token):
        return csrf_refused(request, settings, "case-action")
    return check.session


def _act(request: Request, settings: Settings, pages: CasePages, overrides: BandOverriding,
         staff: StaffSession, case_id: str, problems: forms.Problems,
         values: dict[str, str], action: Callable[[], object], *, done: str,
         field: str) -> Response:
    if not _is_case_id(case_id):
        problems = []  # the page answers 404 for an id that cannot be a case's
    elif not problems:
        try:
            action()
        except DomainError as exc:
            return show(request, settings, pages, overrides, staff, case_id,
                        errors=[(FIELD_OF.get(exc.slug, field), exc.detail or exc.title)],
                        values=values, status=exc.status)
        except OverrideRefused as exc:
            return show(request, settings, pages, overrides, staff, case_id,
                        errors=[(field, exc.detail)], values=values,
                        status=exc.status)
        return RedirectResponse(f"/staff/cases/{case_id}?done={done}", status_code=303)
    return show(request, settings, pages, overrides, staff, case_id, errors=problems,
                values=values, status=422)


def _is_case_id(case_id: str) -> bool:
    try:
        return str(UUID(case_id)) == case_id
    except ValueError:
        return False
