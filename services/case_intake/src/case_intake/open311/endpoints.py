"""Open311 GeoReport v2 under /open311/v2, so existing civic clients can file and read
requests. Errors use the spec's error array, not problem+json."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from case_intake.dependencies import Open311
from case_intake.open311 import catalogue
from case_intake.open311.formats import respond
from case_intake.open311.translate import Open311Error, category
from civic.contracts.common import Category
from civic.http.limits import BodyTooLarge

router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"])
Format = Literal["json", "xml"]


def _error(fmt: str, exc: Open311Error) -> Response:
    return respond(fmt, "errors", exc.body(), status=exc.status)


@router.get("/services.{fmt}", summary="Services: one per category of need")
def services(fmt: Format) -> Response:
    return respond(fmt, "services", [catalogue.service(c) for c in Category])


@router.get("/services/{service_code}.{fmt}", summary="Service definition with attributes")
def service_definition(service_code: str, fmt: Format) -> Response:
    try:
        return respond(fmt, "service_definition", catalogue.definition(category(service_code)))
    except Open311Error as exc:
        return _error(fmt, exc)


@router.post("/requests.{fmt}", summary="File a request (form-encoded, with api_key)")
async def create_request(fmt: Format, request: Request, open311: Open311) -> Response:
    try:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    except BodyTooLarge:
        raise  # answered 413 like every other oversized body
    except Exception:
        return _error(fmt, Open311Error(400, "the body must be application/x-www-form-urlencoded"))
    try:
        status, created = open311.file(form)
    except Open311Error as exc:
        return _error(fmt, exc)
    notice = ("We will place your request by hand." if not created["location"]["resolved"]
              else None)
    return respond(fmt, "service_requests", [{
        "service_request_id": created["id"], "service_notice": notice, "account_id": None,
    }], status=201 if status == 201 else 200)


@router.get("/requests.{fmt}", summary="Requests (public facts only)")
def list_requests(
    fmt: Format, open311: Open311,
    service_request_id: Annotated[str | None, Query(max_length=4000)] = None,
    service_code: Annotated[str | None, Query(max_length=400)] = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    try:
        found = open311.find(service_request_id, service_code, start_date, end_date, status)
    except Open311Error as exc:
        return _error(fmt, exc)
    return respond(fmt, "service_requests", found)


@router.get("/requests/{service_request_id}.{fmt}", summary="One request (public facts only)")
def get_request(service_request_id: str, fmt: Format, open311: Open311) -> Response:
    try:
        return respond(fmt, "service_requests", [open311.get(service_request_id)])
    except Open311Error as exc:
        return _error(fmt, exc)
