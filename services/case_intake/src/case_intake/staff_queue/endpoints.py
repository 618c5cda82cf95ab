"""``/staff/queue``: the staff queue page, for a signed-in staff session. Filters are a
plain GET form and paging a plain link, so it works with JavaScript off; bad filters
get the GOV.UK error summary, naming what was wrong."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from case_intake.dependencies import Config, Queue, StaffCheck
from case_intake.form.fields import CATEGORY_LABELS
from case_intake.form.pages import render
from case_intake.form.staff_web import to_sign_in
from case_intake.scores.paging import Position, cursor, position
from case_intake.staff_queue.schemas import OPEN_STATUSES, QueueFilters
from civic.contracts.common import Channel
from civic.reference import geography

router = APIRouter(include_in_schema=False)
MAX_UNCLAIMED_HOURS = 24 * 30
CATEGORY_NAMES = {value: label for value, (label, _hint) in CATEGORY_LABELS.items()}


def waited(since: datetime, now: datetime) -> str:
    """How long a case has waited, as staff would say it."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


@cache
def ward_names() -> dict[str, str]:
    return {code: ward.name for code, ward in sorted(
        geography().wards.items(), key=lambda item: item[1].name)}


@router.get("/staff/queue", response_class=HTMLResponse, response_model=None)
def staff_queue(request: Request, settings: Config, queue: Queue,
                check: StaffCheck) -> Response:
    if check.session is None:
        return to_sign_in(settings, check.ended)
    given = {k: v.strip() for k, v in request.query_params.items() if v.strip()}
    filters, after, errors = _read(given)
    page = queue.page(filters, after) if not errors else None
    next_link = None
    if page and page.next_position:
        kept = {k: v for k, v in given.items() if k != "after"}
        next_link = str(request.url.include_query_params(
            **kept, after=cursor(page.next_position)))
    return render(request, settings, "staff_queue.html", 400 if errors else 200,
                  staff=check.session.principal, csrf_token=check.session.csrf_token,
                  page=page, values=given, errors=errors, error_map=dict(errors),
                  next_link=next_link, wards=ward_names(), category_names=CATEGORY_NAMES,
                  categories_options=CATEGORY_NAMES.items(),
                  statuses_options=[(s, s.replace("_", " ").capitalize())
                                    for s in OPEN_STATUSES],
                  channels_options=[(c.value, c.value.capitalize()) for c in Channel],
                  age=lambda at: waited(at, queue.clock()))


def _read(given: dict[str, str]) -> tuple[QueueFilters, Position | None,
                                          list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    checks = (("ward", ward_names(), "Choose a ward from the list"),
              ("category", CATEGORY_LABELS, "Choose a kind of help from the list"),
              ("status", OPEN_STATUSES, "Choose an open status from the list"),
              ("channel", [c.value for c in Channel], "Choose a channel from the list"))
    for name, allowed, message in checks:
        if name in given and given[name] not in allowed:
            errors.append((name, message))
    hours = None
    if "unclaimed_hours" in given:
        raw = given["unclaimed_hours"]
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_UNCLAIMED_HOURS:
            errors.append(("unclaimed_hours", "Enter a whole number of hours from 1 to "
                           f"{MAX_UNCLAIMED_HOURS}"))
        else:
            hours = int(raw)
    after = None
    if "after" in given:
        after = position(given["after"])
        if after is None:
            errors.append(("after", "The page link is not one this queue made: start again "
                           "from the first page"))
    filters = QueueFilters(
        ward_code=given.get("ward"), category=given.get("category"),
        status=given.get("status"), channel=given.get("channel"),
        needs_review=given.get("needs_review") == "yes", unclaimed_hours=hours)
    return filters, after, errors
