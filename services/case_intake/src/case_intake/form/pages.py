"""The form pages' templates and how a page is rendered."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from case_intake.settings import Settings

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def render(request: Request, settings: Settings, name: str, status: int = 200,
           **context: object) -> HTMLResponse:
    context.setdefault("council", settings.council_name)
    context.setdefault("live_seconds", f"{settings.live_refresh_seconds:g}")
    response = templates.TemplateResponse(request, name, context, status_code=status)
    # Pages may show a resident's details (a case page, a partner's held cases, a
    # receipt reference): no browser history, back-forward cache or proxy keeps them.
    response.headers["Cache-Control"] = "no-store"
    return response
