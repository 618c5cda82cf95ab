"""The short link every printed code leads to: ``/q/{code}``.

Always 302 with ``Cache-Control: no-store``, never 301 or 308: a browser or proxy that
cached a permanent redirect would skip this service on the next scan, so repeat scans
would go uncounted and a re-pointed code would still send people to the old page.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from civic.contracts.qr import ScanOutcome
from qr_events.dependencies import Scans
from qr_events.scans.pages import dead_end_page

router = APIRouter(tags=["short links"])
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


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
    printed short URL has no mark. Nothing about the person is kept."""
    started = time.perf_counter()
    answer = await scans.scan(code[:64], marked=via == "qr", method=request.method,
                              client=request.client.host if request.client else "",
                              user_agent=request.headers.get("user-agent", ""))
    if answer.outcome is ScanOutcome.REDIRECTED and answer.location is not None:
        response: Response = RedirectResponse(answer.location, status_code=302,
                                              headers=NO_STORE)
    else:
        response = dead_end_page(
            answer.outcome, code=answer.code, replacement_url=answer.replacement_url,
            replacement_code=answer.replacement_code, help_url=scans.help.help_url,
            council_name=scans.help.council_name, helpline_phone=scans.help.helpline_phone,
            valid_from=answer.valid_from)
    scans.metrics.redirect_seconds.labels(answer.outcome.value).observe(
        time.perf_counter() - started)
    return response
