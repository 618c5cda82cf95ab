"""The redirect baseline: a bare FastAPI endpoint answering the same 302 with the same
headers from a dict, with nothing recorded. QR events' /q/{code} is reported against it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse, Response

app = FastAPI()
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
LOCATION = "http://127.0.0.1:8001/request-help?source=qr-"


@app.api_route("/q/{code}", methods=["GET", "HEAD"])
async def follow(code: str) -> Response:
    return RedirectResponse(LOCATION + code.lower(), status_code=302, headers=HEADERS)
