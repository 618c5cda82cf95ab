"""RFC 9457 problem details for every error a service returns.

Endpoints may raise ``Problem`` for what only HTTP knows (a bad cursor, a missing key);
services raise ``civic.errors.DomainError``, which ``install`` maps here.

Validation errors name each offending field, so a caller can fix the request without
reading the code. Unexpected errors say nothing of internals (or of residents).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from civic.errors import DomainError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://civic-platform.example/problems/"


class FieldError(BaseModel):
    field: str = Field(description="Dotted path to the offending field, e.g. body.contact.email")
    message: str


class ProblemDetail(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


class Problem(Exception):
    """Raise to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str | None = None, *,
                 slug: str | None = None, errors: list[FieldError] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.slug, self.errors, self.headers = slug, errors, headers

    def document(self, instance: str | None = None) -> ProblemDetail:
        return ProblemDetail(type=TYPE_BASE + self.slug if self.slug else "about:blank",
                             title=self.title, status=self.status, detail=self.detail,
                             instance=instance, errors=self.errors)


def from_domain_error(error: DomainError) -> Problem:
    """The one mapping from a domain refusal to its problem document: the status is the
    error class's, and ``retry_after_s`` (``TooMany`` 429 always has one, ``Unavailable``
    503 may) becomes ``Retry-After``."""
    headers = ({"Retry-After": str(error.retry_after_s)}
               if error.retry_after_s is not None else None)
    return Problem(error.status, error.title, error.detail, slug=error.slug, headers=headers)


def problem_response(problem: Problem, request: Request | None = None) -> JSONResponse:
    doc = problem.document(str(request.url.path) if request else None)
    return JSONResponse(doc.model_dump(exclude_none=True), status_code=problem.status,
                        media_type=PROBLEM_JSON, headers=problem.headers)


def field_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        message = str(err.get("msg", "invalid"))
        if err.get("type") == "json_invalid":
            message = f"request body is not valid JSON: {err.get('ctx', {}).get('error', '')}"
        errors.append(FieldError(field=".".join(loc) or "body", message=message))
    return errors


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ProblemDetail, "content": {PROBLEM_JSON: {}}, "description": text}
    for code, text in ((400, "Bad request"), (401, "Missing or invalid API key"),
                       (403, "The API key's role may not do this"), (413, "Body too large"),
                       (422, "Invalid request; `errors` names each field"))
}


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(DomainError)
    async def _refused(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(from_domain_error(exc), request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(exc)
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
        return problem_response(
            Problem(422, "Invalid request", detail, slug="invalid-request", errors=errors),
            request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        carried = getattr(exc, "problem", None)  # e.g. civic.http.limits.BodyTooLarge
        if isinstance(carried, Problem):
            return problem_response(carried, request)
        return problem_response(
            Problem(exc.status_code, _title(exc.status_code), str(exc.detail),
                    headers=getattr(exc, "headers", None)), request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(Problem(500, "Internal error",
                                        "Something went wrong on our side; it has been logged."),
                                request)


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
