"""Open311 GeoReport v2 under /open311/v2, so existing civic clients can file and read
requests. Errors use the spec's error array, not problem+json."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from case_intake.cases import repository
from case_intake.open311 import schemas
from case_intake.open311.formats import respond
from case_intake.open311.service import OPEN, Open311Error, as_request, case_from_form, category
from civic.contracts.common import Category
from civic.http.auth import Role
from civic.http.problems import Problem

router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"])
Format = Literal["json", "xml"]
MAX_RESULTS = 1000


def _error(fmt: str, exc: Open311Error) -> Response:
    return respond(fmt, "errors", exc.body(), status=exc.status)


@router.get("/services.{fmt}", summary="Services: one per category of need")
def services(fmt: Format) -> Response:
    return respond(fmt, "services", [schemas.service(c) for c in Category])


@router.get("/services/{service_code}.{fmt}", summary="Service definition with attributes")
def service_definition(service_code: str, fmt: Format) -> Response:
    try:
        return respond(fmt, "service_definition", schemas.definition(category(service_code)))
    except Open311Error as exc:
        return _error(fmt, exc)


@router.post("/requests.{fmt}", summary="File a request (form-encoded, with api_key)")
async def create_request(fmt: Format, request: Request) -> Response:
    try:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    except Exception:
        return _error(fmt, Open311Error(400, "the body must be application/x-www-form-urlencoded"))
    try:
        principal = _principal(request, form.get("api_key"))
        channel = "partner" if principal.role == Role.PARTNER else "web"
        body = case_from_form(form, channel, request.app.state.settings.terms_version)
        status, created = request.app.state.cases.create(body, principal, None)
    except Open311Error as exc:
        return _error(fmt, exc)
    except Problem as exc:
        return _error(fmt, Open311Error(exc.status, exc.detail or exc.title))
    notice = ("We will place your request by hand." if not created["location"]["resolved"]
              else None)
    return respond(fmt, "service_requests", [{
        "service_request_id": created["id"], "service_notice": notice, "account_id": None,
    }], status=201 if status == 201 else 200)


@router.get("/requests.{fmt}", summary="Requests (public facts only)")
def list_requests(
    fmt: Format, request: Request,
    service_request_id: Annotated[str | None, Query(max_length=4000)] = None,
    service_code: Annotated[str | None, Query(max_length=400)] = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    try:
        cases = _find(request, service_request_id, service_code, start_date, end_date, status)
    except Open311Error as exc:
        return _error(fmt, exc)
    agency = request.app.state.settings.council_name
    return respond(fmt, "service_requests", [as_request(c, agency) for c in cases])


@router.get("/requests/{service_request_id}.{fmt}", summary="One request (public facts only)")
def get_request(service_request_id: str, fmt: Format, request: Request) -> Response:
    with request.app.state.sessions() as session:
        case = repository.get(session, service_request_id)
        if case is None:
            return _error(fmt, Open311Error(
                404, f"service_request_id {service_request_id} not found"))
        return respond(fmt, "service_requests",
                       [as_request(case, request.app.state.settings.council_name)])


def _principal(request: Request, api_key: str | None):  # type: ignore[no-untyped-def]
    if not api_key:
        raise Open311Error(403, "api_key is required to file a request")
    principal = request.app.state.api_keys.lookup(api_key)
    if principal is None:
        raise Open311Error(403, "api_key is not recognised or has been revoked")
    if principal.role not in (Role.STAFF, Role.PARTNER):
        raise Open311Error(403, f"an api_key with the {principal.role} role cannot file requests")
    return principal


def _find(request: Request, ids: str | None, codes: str | None, start: datetime | None,
          end: datetime | None, status: str | None) -> list:  # type: ignore[type-arg]
    with request.app.state.sessions() as session:
        if ids:
            wanted = [i.strip() for i in ids.split(",") if i.strip()][:MAX_RESULTS]
            return repository.by_ids(session, wanted)
        end = _aware(end) if end else datetime.now(UTC)
        start = _aware(start) if start else end - timedelta(days=90)
        if end - start > timedelta(days=90):
            raise Open311Error(400, "start_date to end_date may not span more than 90 days")
        statuses = None
        if status:
            wanted_states = {s.strip() for s in status.split(",")}
            if not wanted_states <= {"open", "closed"}:
                raise Open311Error(400, "status must be open, closed or both")
            statuses = [s.value for s in OPEN] if wanted_states == {"open"} else (
                [s for s in ("resolved", "closed", "withdrawn")] if wanted_states == {"closed"}
                else None)
        found = repository.in_period(session, start=start, end=end, statuses=statuses,
                                     limit=MAX_RESULTS)
        if codes:
            code_set = {category(c.strip()).value for c in codes.split(",")}
            found = [c for c in found if set(c.categories) & code_set]
        return found


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
