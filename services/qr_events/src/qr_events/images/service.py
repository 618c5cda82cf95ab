"""A code's images: what staff print. Each encodes the code's scan URL (the short URL
marked ``via=qr``), so a scan and a typed visit are told apart; the poster also prints
the short URL itself, for typing."""

from __future__ import annotations

from dataclasses import dataclass

from qr_events.codes.links import ShortLinks
from qr_events.codes.service import CodeService
from qr_events.images import poster, rendering
from qr_events.images.schemas import PngQuery, PosterQuery, SvgQuery


@dataclass(frozen=True)
class CodeImage:
    code: str  # canonical: what the file is named after, whatever case was asked for
    content: bytes
    media_type: str
    extension: str

    @property
    def filename(self) -> str:
        return f"qr-{self.code}.{self.extension}"


class ImageService:
    def __init__(self, codes: CodeService, links: ShortLinks, *, council_name: str) -> None:
        self.codes = codes
        self.links = links
        self.council_name = council_name

    def svg(self, text: str, options: SvgQuery) -> CodeImage:
        code = self._code(text)
        return CodeImage(code, rendering.svg(self.links.scan_url(code), size_mm=options.size_mm,
                                             colours=options.colours), "image/svg+xml", "svg")

    def png(self, text: str, options: PngQuery) -> CodeImage:
        code = self._code(text)
        return CodeImage(code, rendering.png(self.links.scan_url(code), size_mm=options.size_mm,
                                             dpi=options.dpi, colours=options.colours),
                         "image/png", "png")

    def poster(self, text: str, options: PosterQuery) -> CodeImage:
        code = self._code(text)
        content = poster.poster(self.links.scan_url(code), self.links.printed(code),
                                council_name=self.council_name, paper=options.paper,
                                colours=options.colours, title=f"QR code {code}")
        return CodeImage(code, content, "application/pdf", "pdf")

    def _code(self, text: str) -> str:
        """The canonical code; InvalidInput for a malformed one, NotFound for an unknown
        one. A retired or expired code still gets its images: the scan lands on a page
        that says so, and staff may need to see what is on the wall."""
        return self.codes.row(text).short_code
