"""A print-ready poster page: the council's name, the QR symbol, one line saying what to
do, and the short URL, large, for anyone without a smartphone or whose camera won't read
the code.

The symbol is drawn as vector rectangles in one filled path: it stays sharp at any
print size, and a renderer anti-aliases one path as a whole, so no hairline seams show
between neighbouring modules. A poster uses error correction H, not the Q of
``rendering``: its symbol is large whatever the level, so the extra version costs
nothing in readability, and posters are the prints that get torn, scribbled on and
half covered. Measured: a block over 15% of the symbol (finder patterns spared) broke
Q at 29% of the positions tried and H at none.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, PathPaintRule, XPos, YPos

from qr_events.images.rendering import QUIET_ZONE, Colours, check_colours, symbol

POSTER_ERROR_LEVEL = "h"
INSTRUCTION = "Scan with your phone camera, or type this address into a web browser:"
# The core fonts' encoding: Latin-1 plus the typographic quotes and dashes people type.
ENCODING = "windows-1252"
FONT = "Helvetica"


class Paper(StrEnum):
    A4 = "a4"
    A5 = "a5"

    @property
    def size_mm(self) -> tuple[float, float]:
        # given, not named: fpdf2 warns on every A5 that its A5 changed in 2.8.5
        return {Paper.A4: (210.0, 297.0), Paper.A5: (148.0, 210.0)}[self]


@dataclass(frozen=True)
class Layout:
    """Sizes for A4, scaled by the page's width for smaller paper."""

    scale: float

    @property
    def margin(self) -> float:
        return 18 * self.scale

    @property
    def symbol_mm(self) -> float:
        # 150 mm on A4: about 3.3 mm modules for a version 5 symbol, readable from ~2 m
        return 150 * self.scale

    def pt(self, size: float) -> float:
        return size * self.scale

    @property
    def instruction_pt(self) -> float:
        # 12 pt at least, for the readers who most need it; on A5 it wraps instead
        return max(12.0, self.pt(15))


def printable(text: str) -> str:
    """What the core fonts can print: each other character as its unaccented letter (Ŵ
    as W), or "?" if it has none. Printing nothing at all would be worse."""
    kept = []
    for char in text:
        for candidate in (char, unicodedata.normalize("NFKD", char)[:1], "?"):
            try:
                candidate.encode(ENCODING)
            except UnicodeEncodeError:
                continue
            kept.append(candidate)
            break
    return "".join(kept)


def poster(url: str, printed_url: str, *, council_name: str, paper: Paper,
           colours: Colours, title: str = "QR code") -> bytes:
    """A one-page PDF; ``url`` is what the symbol encodes, ``printed_url`` what people
    type."""
    check_colours(colours)
    pdf = FPDF(orientation="portrait", unit="mm", format=paper.size_mm)
    pdf.core_fonts_encoding = ENCODING
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(0, 0)
    pdf.set_title(printable(title))
    pdf.set_author(printable(council_name))
    pdf.set_lang("en-GB")
    pdf.add_page()
    layout = Layout(pdf.w / 210)
    width = pdf.w - 2 * layout.margin

    # Text is always black: the symbol's colours are a choice, reading the address isn't.
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(layout.margin, layout.margin)
    pdf.set_font(FONT, "B", layout.pt(20))
    pdf.multi_cell(width, layout.pt(9), printable(council_name), align=Align.C,
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    address = printable(printed_url)
    pdf.set_font(FONT, "B", 1)
    address_pt = min(layout.pt(44), width / pdf.get_string_width(address))
    pdf.set_font(FONT, "", layout.instruction_pt)
    line_mm = layout.instruction_pt * 0.47
    lines = pdf.multi_cell(width, text=INSTRUCTION, dry_run=True,
                           output=MethodReturnValue.LINES)
    instruction_lines = len(lines) if isinstance(lines, list) else 1
    # the symbol and the words that go with it, centred in what the heading leaves
    block = (layout.symbol_mm + layout.pt(6) + instruction_lines * line_mm
             + address_pt * 0.5)
    top = pdf.get_y() + max(layout.pt(6), (pdf.h - layout.margin - pdf.get_y() - block) / 2)
    _draw_symbol(pdf, url, (pdf.w - layout.symbol_mm) / 2, top, layout.symbol_mm, colours)

    pdf.set_xy(layout.margin, top + layout.symbol_mm + layout.pt(6))
    pdf.multi_cell(width, line_mm, INSTRUCTION, align=Align.C,
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", address_pt)
    pdf.set_x(layout.margin)
    pdf.cell(width, address_pt * 0.5, address, align=Align.C)
    return bytes(pdf.output())


def _draw_symbol(pdf: FPDF, url: str, left: float, top: float, size: float,
                 colours: Colours) -> None:
    rows = [list(row) for row in symbol(url, POSTER_ERROR_LEVEL).matrix_iter(
        border=QUIET_ZONE)]
    module = size / len(rows)
    # the quiet zone is painted, so it is light on coloured paper too
    pdf.set_fill_color(colours.light)
    pdf.rect(left, top, size, size, style="F")
    with pdf.new_path(paint_rule=PathPaintRule.FILL_NONZERO) as path:
        path.style.fill_color = colours.dark
        path.style.stroke_color = None
        for y, row in enumerate(rows):
            for start, length in _dark_runs(row):
                path.rectangle(left + start * module, top + y * module,
                               length * module, module)


def _dark_runs(row: list[int]) -> list[tuple[int, int]]:
    """(start, length) of each horizontal run of dark modules: one rectangle per run
    keeps the path short."""
    runs: list[tuple[int, int]] = []
    start = None
    for x, dark in enumerate([*row, 0]):
        if dark and start is None:
            start = x
        elif not dark and start is not None:
            runs.append((start, x - start))
            start = None
    return runs
