"""A scan's answer as HTTP: the redirect, or the dead-end page. One place, used by the
FastAPI route (endpoints.py) and by the fast path in front of it (fast_path.py)."""

from __future__ import annotations

import time

from fastapi.responses import RedirectResponse, Response

from civic.contracts.qr import ScanOutcome
from qr_events.scans.pages import dead_end_page
from qr_events.scans.service import ScanService

# 302, never 301 or 308, and never cached: a browser or proxy that kept a permanent
# redirect would skip this service on the next scan, so repeat scans would go uncounted
# and a re-pointed code would still send people to the old page.
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


async def answer(scans: ScanService, raw_code: str, *, marked: bool, method: str,
                 client: str, user_agent: str) -> Response:
    started = time.perf_counter()
    found = await scans.scan(raw_code[:64], marked=marked, method=method, client=client,
                             user_agent=user_agent)
    if found.outcome is ScanOutcome.REDIRECTED and found.location is not None:
        response: Response = RedirectResponse(found.location, status_code=302,
                                              headers=NO_STORE)
    else:
        response = dead_end_page(
            found.outcome, code=found.code, replacement_url=found.replacement_url,
            replacement_code=found.replacement_code, help_url=scans.help.help_url,
            council_name=scans.help.council_name, helpline_phone=scans.help.helpline_phone,
            valid_from=found.valid_from)
    scans.metrics.redirect_seconds.labels(found.outcome.value).observe(
        time.perf_counter() - started)
    return response
