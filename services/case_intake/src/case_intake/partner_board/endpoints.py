"""``/partner/board`` and ``/partner/cases``: a signed-in partner's pages. The board
lists the cases it may claim, in need order and without personal data; its own cases
come with the resident's contact details when the resident agreed. Every action is a
plain form post with a CSRF token, so the pages work with JavaScript off; a refusal
comes back as the GOV.UK error summary, with the status the API would give."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from case_intake.cases.schemas import reference
from case_intake.dependencies import Board, Config, PartnerCheck, PartnerSessions
from case_intake.form.pages import render
from case_intake.form.staff_web import csrf_refused
from case_intake.partner_board.web import to_sign_in
from case_intake.scores.paging import Position, cursor, position
from case_intake.settings import Settings
from case_intake.staff_queue.endpoints import CATEGORY_NAMES, waited, ward_names
from case_intake.staff_sessions.service import StaffSession
from civic.contracts.common import CaseStatus
from civic.errors import DomainError

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Form(max_length=200)]
REFERENCE_RE = re.compile(r"[0-9A-F]{8}")
MOVES = {"in_progress": CaseStatus.IN_PROGRESS, "resolved": CaseStatus.RESOLVED}
DONE = {
    "claimed": "You have claimed case {ref}.",
    "released": "You have handed case {ref} back to the council.",
    "in_progress": "Case {ref} is marked in progress.",
    "resolved": "Case {ref} is marked resolved, so it has left your list. Thank you.",
}
REASON_LENGTH = (3, 500)  # as the API's release reason


@router.get("/partner/board", response_class=HTMLResponse, response_model=None)
def board_page(request: Request, settings: Config, board: Board, check: PartnerCheck,
               after: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    if check.session is None:
        return to_sign_in(settings, check.ended)
    start = position(after) if after else None
    if after and start is None:
        return _board(request, settings, board, check.session, status=400, errors=[
            ("board", "The page link is not one this board made: start again from the "
             "first page")])
    return _board(request, settings, board, check.session, after=start)


def _board(request: Request, settings: Settings, board: Board, session: StaffSession, *,
           after: Position | None = None, errors: Sequence[tuple[str, str]] = (),
           status: int = 200) -> HTMLResponse:
    page = board.page(session.principal, after)
    next_link = (f"/partner/board?after={cursor(page.next_position)}"
                 if page.next_position else None)
    return render(request, settings, "partner_board.html", status,
                  partner=session.principal, csrf_token=session.csrf_token, page=page,
                  errors=list(errors), next_link=next_link, first_page=after is None,
                  # a refused claim is shown at the claim's POST address: refresh the board
                  live_url="/partner/board" + (f"?after={cursor(after)}" if after else ""),
                  wards=ward_names(), category_names=CATEGORY_NAMES,
                  age=lambda at: waited(at, board.clock()))


@router.post("/partner/cases/{case_id}/claim", response_class=HTMLResponse,
             response_model=None)
def claim(request: Request, case_id: UUID, settings: Config, board: Board,
          sessions: PartnerSessions, check: PartnerCheck, csrf_token: Token = "") -> Response:
    if check.session is None:
        return to_sign_in(settings, check.ended)
    if not sessions.csrf_matches(check.session, csrf_token):
        return csrf_refused(request, settings, "partner-form")
    ref = reference(str(case_id))
    try:
        board.claim(str(case_id), check.session.principal)
    except DomainError as exc:
        answer = _board(request, settings, board, check.session, status=exc.status, errors=[
            ("board", f"Case {ref} could not be claimed. {exc.detail}")])
        if exc.retry_after_s:
            answer.headers["Retry-After"] = str(exc.retry_after_s)
        return answer
    return RedirectResponse(f"/partner/cases?done=claimed&case={ref}", status_code=303)


@router.get("/partner/cases", response_class=HTMLResponse, response_model=None)
def cases_page(request: Request, settings: Config, board: Board, check: PartnerCheck,
               done: Annotated[str | None, Query(max_length=20)] = None,
               case: Annotated[str | None, Query(max_length=8)] = None) -> Response:
    if check.session is None:
        return to_sign_in(settings, check.ended)
    notice = None
    if done in DONE and case and REFERENCE_RE.fullmatch(case):
        notice = DONE[done].format(ref=case)
    return _cases(request, settings, board, check.session, notice=notice, claimed=(
        case if done == "claimed" else None))


def _cases(request: Request, settings: Settings, board: Board, session: StaffSession, *,
           notice: str | None = None, claimed: str | None = None,
           errors: Sequence[tuple[str, str]] = (), values: dict[str, str] | None = None,
           status: int = 200) -> HTMLResponse:
    held = board.held(session.principal)  # each contact shown is an audited read
    withheld = next((c.contact_withheld_reason for c in held
                     if c.reference == claimed and c.contact is None), None)
    return render(request, settings, "partner_cases.html", status,
                  partner=session.principal, csrf_token=session.csrf_token, cases=held,
                  notice=notice, withheld=withheld, errors=list(errors),
                  error_map=dict(errors), values=values or {}, wards=ward_names(),
                  category_names=CATEGORY_NAMES, age=lambda at: waited(at, board.clock()))


@router.post("/partner/cases/{case_id}/release", response_class=HTMLResponse,
             response_model=None)
def release(request: Request, case_id: UUID, settings: Config, board: Board,
            sessions: PartnerSessions, check: PartnerCheck, csrf_token: Token = "",
            reason: Annotated[str, Form(max_length=5000)] = "") -> Response:
    if check.session is None:
        return to_sign_in(settings, check.ended)
    if not sessions.csrf_matches(check.session, csrf_token):
        return csrf_refused(request, settings, "partner-form")
    ref, field = reference(str(case_id)), f"reason-{case_id}"
    given = reason.strip()
    shortest, longest = REASON_LENGTH
    if not shortest <= len(given) <= longest:
        message = (f"Enter why you are handing case {ref} back" if not given else
                   f"Why you are handing case {ref} back must be {shortest} to {longest} "
                   "characters")
        return _cases(request, settings, board, check.session, errors=[(field, message)],
                      values={field: reason}, status=422)
    try:
        board.release(str(case_id), check.session.principal, given)
    except DomainError as exc:
        return _cases(request, settings, board, check.session, status=exc.status, errors=[
            ("cases", f"Case {ref} could not be handed back. {exc.detail}")])
    return RedirectResponse(f"/partner/cases?done=released&case={ref}", status_code=303)


@router.post("/partner/cases/{case_id}/progress", response_class=HTMLResponse,
             response_model=None)
def progress(request: Request, case_id: UUID, settings: Config, board: Board,
             sessions: PartnerSessions, check: PartnerCheck, csrf_token: Token = "",
             to: Annotated[str, Form(max_length=20)] = "") -> Response:
    if check.session is None:
        return to_sign_in(settings, check.ended)
    if not sessions.csrf_matches(check.session, csrf_token):
        return csrf_refused(request, settings, "partner-form")
    ref = reference(str(case_id))
    if to not in MOVES:  # only a hand-made form gets here: the buttons name a move
        return _cases(request, settings, board, check.session, status=422, errors=[
            ("cases", f"Case {ref} could not be updated. Choose in progress or resolved.")])
    try:
        board.progress(str(case_id), check.session.principal, MOVES[to])
    except DomainError as exc:
        return _cases(request, settings, board, check.session, status=exc.status, errors=[
            ("cases", f"Case {ref} could not be updated. {exc.detail}")])
    return RedirectResponse(f"/partner/cases?done={to}&case={ref}", status_code=303)
