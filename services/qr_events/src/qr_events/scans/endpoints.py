"""The short link every printed code leads to: ``/q/{code}``, always 302 with
``Cache-Control: no-store`` (see ``answers.py``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qr_events.codes.links import SCAN_VIA
from qr_events.dependencies import Scans
from qr_events.scans.answers import answer

router = APIRouter(tags=["short links"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    302: {"description": "To the code's destination (the intake form with the code as "
          "`source`, or an allow-listed council page)"},
    404: {"description": "Unknown or not yet valid: a helpful page, with the helpline"},
    410: {"description": "Expired or retired: a helpful page naming any replacement"}}


@router.head("/q/{code:path}", response_class=Response, responses=RESPONSES,
             operation_id="follow_short_link_head")
@router.get("/q/{code:path}", response_class=Response, responses=RESPONSES,
            operation_id="follow_short_link")
async def follow(code: str, request: Request, scans: Scans,
                 via: Annotated[str | None, Query(max_length=10)] = None) -> Response:
    """Resolve a scanned or typed code. ``via=qr`` marks the URL inside the QR image; the
    printed short URL has no mark. Nothing about the person is kept. (Served by the fast
    path in ``fast_path.py``, in the same way, unless QR_EVENTS_FAST_PATH=false.)"""
    return await answer(scans, code, marked=via == SCAN_VIA, method=request.method,
                        client=request.client.host if request.client else "",
                        user_agent=request.headers.get("user-agent", ""))
