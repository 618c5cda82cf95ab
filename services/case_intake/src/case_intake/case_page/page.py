"""Rendering the case page: the one place that turns a ``CaseView`` (and, after a
stated purpose, the resident's details) into HTML."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from fastapi import Request
from fastapi.responses import Response

from case_intake.case_page.band_overrides import BandOverrides
from case_intake.case_page.service import CasePage
from case_intake.form.pages import render
from case_intake.settings import Settings
from case_intake.staff_queue.endpoints import CATEGORY_NAMES, waited, ward_names
from case_intake.staff_sessions.service import StaffSession
from civic.contracts.common import Band
from civic.errors import NotFound

DONE = {
    "status": "The case's status was changed.",
    "note": "Your note was added.",
    "band": "Need scoring recorded your band override. The case moves in the queue when "
            "its new score arrives, normally within seconds.",
    "place": "The case was placed. Need scoring scores it again for its area.",
    "erase": "The resident's personal data was erased. The case's facts and history stay.",
}


def show(request: Request, settings: Settings, pages: CasePage, overrides: BandOverrides,
         staff: StaffSession, case_id: str, *, errors: Sequence[tuple[str, str]] = (),
         values: Mapping[str, str] | None = None, status: int = 200,
         reveal_for: str | None = None, notice: str | None = None) -> Response:
    try:
        if str(UUID(case_id)) != case_id:
            raise ValueError(case_id)
        # revealed first, so the audit trail shown includes this very read
        revealed = pages.reveal(case_id, staff.principal, reveal_for) if reveal_for else None
        view = pages.view(case_id, staff.principal)
    except (ValueError, NotFound):
        response = render(request, settings, "staff_case_missing.html", 404,
                          staff=staff.principal, csrf_token=staff.csrf_token)
    else:
        response = render(
            request, settings, "staff_case.html", status, staff=staff.principal,
            csrf_token=staff.csrf_token, view=view, revealed=revealed, errors=list(errors),
            error_map=dict(errors), values=values or {}, notice=notice,
            wards=ward_names(), category_names=CATEGORY_NAMES,
            band_options=[(b.value, b.value.capitalize()) for b in Band],
            status_options=[(s, s.replace("_", " ").capitalize()) for s in view.next_statuses],
            overrides_available=overrides.available,
            age=lambda at: waited(at, pages.clock()))
    return response
