"""Staff download a code's QR image (SVG, PNG) or a print-ready poster (PDF).

Included in the app before the codes router: Starlette's ``{code}`` matches dots, so
``GET /v1/codes/{code}`` would otherwise take ``ABC2345.svg`` for a code."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES
from qr_events.dependencies import Images
from qr_events.images.schemas import PngQuery, PosterQuery, SvgQuery
from qr_events.images.service import CodeImage

router = APIRouter(prefix="/v1/codes", tags=["images"], responses=PROBLEM_RESPONSES)
Staff = Annotated[Principal, Depends(require(Role.STAFF))]
# The same code and options always give the same image; private, as only staff may ask.
CACHE_CONTROL = "private, max-age=300"


def _documented(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    problem = PROBLEM_RESPONSES[422]  # keeps the problem+json schema under new words
    return {200: {"description": what, "content": {media_type: {"schema": {
                "type": "string", "format": "binary"}}}},
            404: {**problem, "description": "There is no such code"},
            422: {**problem, "description": "A parameter is out of range, the colours "
                  "contrast too little or are inverted, or the code is malformed; the "
                  "detail names it"}}


def _answer(image: CodeImage) -> Response:
    return Response(image.content, media_type=image.media_type, headers={
        "Content-Disposition": f'inline; filename="{image.filename}"',
        "Cache-Control": CACHE_CONTROL})


@router.get("/{code}.svg", response_class=Response,
            responses=_documented("image/svg+xml", "The QR symbol as SVG, `size_mm` wide"))
def code_svg(code: str, options: Annotated[SvgQuery, Query()], _staff: Staff,
             images: Images) -> Response:
    """The code's QR symbol, encoding its scan URL, as scalable vector graphics."""
    return _answer(images.svg(code, options))


@router.get("/{code}.png", response_class=Response,
            responses=_documented("image/png", "The QR symbol as PNG, `size_mm` wide at "
                                  "`dpi` or a little more"))
def code_png(code: str, options: Annotated[PngQuery, Query()], _staff: Staff,
             images: Images) -> Response:
    """The code's QR symbol, encoding its scan URL, as a PNG for print."""
    return _answer(images.png(code, options))


@router.get("/{code}.pdf", response_class=Response,
            responses=_documented("application/pdf", "A one-page A4 or A5 poster"))
def code_poster(code: str, options: Annotated[PosterQuery, Query()], _staff: Staff,
                images: Images) -> Response:
    """A poster: the council's name, the QR symbol, one line of instructions, and the
    short URL in large type for anyone who can't scan."""
    return _answer(images.poster(code, options))
