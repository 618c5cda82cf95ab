"""The case API. Thin: parse, authorise, call the service."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse

from case_intake.cases.schemas import (
    CaseCreate,
    CaseCreated,
    CaseDetail,
    CasePage,
    CaseSummary,
    ErasureIn,
    HistoryEntry,
    NoteIn,
    NoteOut,
    ReceiptStatus,
    StatusChangeIn,
)
from case_intake.dependencies import Cases, Filing
from civic.contracts.common import CaseStatus, Category
from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES, Problem

router = APIRouter(prefix="/v1", tags=["cases"], responses=PROBLEM_RESPONSES)
Staff = Annotated[Principal, Depends(require(Role.STAFF))]
Filer = Annotated[Principal, Depends(require(Role.STAFF, Role.PARTNER))]
CaseId = Annotated[UUID, "case id"]


@router.post("/cases", status_code=201, response_model=CaseCreated,
             responses={201: {"description": "Accepted; the case id and receipt token"}})
async def create_case(
    body: CaseCreate, principal: Filer, filing: Filing,
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", min_length=8, max_length=128,
        description="Repeat a request with the same key to get the first answer again.")] = None,
) -> JSONResponse:
    """File a request for help. Staff file phone cases; partners file on the partner channel."""
    status, response = await filing.create_async(body, principal, idempotency_key)
    return JSONResponse(response, status_code=status)


@router.get("/cases", response_model=CasePage)
def list_cases(
    _staff: Staff, cases: Cases,
    ward_code: Annotated[str | None, Query(pattern=r"^E05\d{6}$")] = None,
    status: CaseStatus | None = None,
    category: Category | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CasePage:
    """Cases without personal data, newest first."""
    items = cases.search(ward_code=ward_code, status=status,
                         category=category.value if category else None,
                         created_from=created_from, created_to=created_to,
                         after=_decode_cursor(cursor) if cursor else None, limit=limit)
    next_cursor = None
    if len(items) == limit:
        next_cursor = _encode_cursor(items[-1].created_at, str(items[-1].id))
    return CasePage(items=items, next_cursor=next_cursor)


@router.get("/cases/{case_id}", response_model=CaseDetail)
def get_case(case_id: CaseId, staff: Staff, cases: Cases,
             purpose: Annotated[str, Query(min_length=3, max_length=200,
                                           description="Why you are reading it; audited")]
             = "case work") -> CaseDetail:
    """A case with the resident's details. Every read is written to the audit log."""
    return cases.detail(str(case_id), staff, purpose)


@router.get("/cases/{case_id}/history", response_model=list[HistoryEntry])
def history(case_id: CaseId, staff: Staff, cases: Cases,
            purpose: Annotated[str, Query(min_length=3, max_length=200,
                                          description="Why you are reading it; audited")]
            = "case work") -> list[HistoryEntry]:
    """Every status change: who, when, why. The reasons are staff's words about the
    resident, so every read is written to the audit log."""
    return cases.history(str(case_id), staff, purpose)


@router.post("/cases/{case_id}/status", response_model=CaseSummary,
             responses={409: {"description": "The lifecycle does not allow this change"}})
def change_status(case_id: CaseId, body: StatusChangeIn, staff: Staff,
                  cases: Cases) -> CaseSummary:
    return cases.change_status_as_staff(str(case_id), body.to, body.reason, staff)


@router.post("/cases/{case_id}/notes", status_code=201, response_model=NoteOut)
def add_note(case_id: CaseId, body: NoteIn, staff: Staff, cases: Cases) -> NoteOut:
    return cases.add_note(str(case_id), body.text, staff)


@router.post("/cases/{case_id}/erasure", response_model=CaseSummary)
def erase(case_id: CaseId, body: ErasureIn, staff: Staff, cases: Cases) -> CaseSummary:
    """Erase the resident's personal data. The case's facts, history and audit trail stay,
    and an erasure event tells every other service to forget it."""
    return cases.erase(str(case_id), body.reason, staff)


@router.get("/cases/{case_id}/audit", tags=["audit"])
def case_audit(case_id: CaseId, cases: Cases,
               _ops: Annotated[Principal, Depends(require(Role.OPS, Role.STAFF))]
               ) -> list[dict[str, object]]:
    """Who read or changed this case's personal data."""
    return cases.audit_trail(str(case_id))


@router.get("/receipts/{token}", response_model=ReceiptStatus, tags=["residents"])
def receipt(token: Annotated[str, "receipt token"], cases: Cases) -> ReceiptStatus:
    """Public: the resident checks progress with the token from their receipt."""
    found = cases.receipt_status(token)
    if found is None:
        raise Problem(404, "Receipt not found",
                      "Check the reference on your receipt and try again.",
                      slug="receipt-not-found")
    return found


def _encode_cursor(at: datetime, case_id: str) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{case_id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, case_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.fromisoformat(at), case_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(422, "Invalid request", "cursor is not one this API issued",
                      slug="invalid-request") from exc
