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
    return templates.TemplateResponse(request, name, context, status_code=status)
