"""The poster (``images/poster.py``), read back as a printer and a phone would: rendered by
PDFium at 150 dpi, its text extracted, its symbol read after damage."""

from __future__ import annotations

import ctypes
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image

from civic.errors import InvalidInput
from qr_events.images.poster import INSTRUCTION, Paper, poster, printable
from qr_events.images.rendering import Colours

SCAN_URL = "https://qr.camden.gov.uk/q/K7M2QX4?via=qr"
PRINTED = "qr.camden.gov.uk/q/K7M2QX4"
COUNCIL = "London Borough of Camden"
PAGE_PT = {Paper.A4: (595.28, 841.89), Paper.A5: (419.53, 595.28)}


def make(paper: Paper = Paper.A4, colours: Colours | None = None,
         council: str = COUNCIL) -> bytes:
    content: bytes = poster(SCAN_URL, PRINTED, council_name=council, paper=paper,
                            colours=colours or Colours(), title="QR code K7M2QX4")
    return content


def page_image(content: bytes, dpi: int = 150) -> Image.Image:
    image: Image.Image = pdfium.PdfDocument(content)[0].render(scale=dpi / 72).to_pil()
    return image


def page_text(content: bytes) -> str:
    text: str = pdfium.PdfDocument(content)[0].get_textpage().get_text_range()
    return text


def font_sizes(content: bytes, words: str) -> set[float]:
    """The font sizes, in points, of the characters of ``words`` on the page."""
    textpage = pdfium.PdfDocument(content)[0].get_textpage()
    start = textpage.get_text_range().index(words)
    raw = ctypes.cast(textpage.raw, pdfium_c.FPDF_TEXTPAGE)
    return {round(pdfium_c.FPDFText_GetFontSize(raw, i), 1)
            for i in range(start, start + len(words))}


@pytest.mark.parametrize("paper", list(Paper))
def test_the_page_is_the_paper_asked_for(paper: Paper) -> None:
    width, height = pdfium.PdfDocument(make(paper))[0].get_size()
    assert (width, height) == pytest.approx(PAGE_PT[paper], abs=0.5)


@pytest.mark.parametrize("paper", list(Paper))
def test_the_poster_names_the_council_says_what_to_do_and_prints_the_address(
        paper: Paper) -> None:
    text = " ".join(page_text(make(paper)).split())
    assert COUNCIL in text
    assert INSTRUCTION in text
    assert PRINTED in text


@pytest.mark.parametrize("paper", list(Paper))
def test_the_address_is_large_type(paper: Paper) -> None:
    """Seen failing with the address set at the instruction's size (15 pt on A4)."""
    content = make(paper)
    (address,) = font_sizes(content, PRINTED)
    (instruction,) = font_sizes(content, INSTRUCTION.split(",")[0])  # A5 wraps the rest
    assert address >= 24
    assert address >= 1.8 * instruction


@pytest.mark.parametrize("colours", [Colours(), Colours("#1d3557", "#f1faee")], ids=str)
@pytest.mark.parametrize("paper", list(Paper))
def test_the_poster_reads_back_exactly_with_h_and_a_clear_quiet_zone(
        phone: Any, paper: Paper, colours: Colours) -> None:
    """Seen failing with POSTER_ERROR_LEVEL = "q" (ec_level Q), and with the instruction
    moved up into the quiet zone (its line then began 1.5 modules below the symbol)."""
    page = page_image(make(paper, colours))
    assert phone.read(page) == [SCAN_URL]
    assert phone.locate(page).ec_level == "H"
    assert phone.quiet_zone(page) >= 4


@pytest.mark.parametrize("paper", list(Paper))
def test_the_poster_reads_back_downscaled_and_blurred(phone: Any, paper: Paper) -> None:
    """Seen failing with each row drawn 0.6 of a module tall (seams between rows), and
    with the module size taken without the quiet zone (the symbol then overran its
    space and the text below)."""
    page = page_image(make(paper))
    assert phone.read(phone.downscaled(page)) == [SCAN_URL]
    assert phone.read(phone.blurred(page)) == [SCAN_URL]


def test_the_poster_reads_back_with_15_percent_of_it_covered(phone: Any) -> None:
    """Seen failing with POSTER_ERROR_LEVEL = "q": H is what a poster's size buys."""
    page = page_image(make(Paper.A5), dpi=100)
    symbol = phone.locate(page)
    margin = 6 * symbol.module_px  # the phone frames the symbol and a little more
    framed = page.crop((round(symbol.left - margin), round(symbol.top - margin),
                        round(symbol.right + margin), round(symbol.bottom + margin)))
    broken = [where for where, damaged in phone.occluded(framed, 0.15)
              if phone.read(damaged) != [SCAN_URL]]
    assert not broken


def test_the_poster_refuses_colours_a_phone_may_not_read() -> None:
    with pytest.raises(InvalidInput):
        make(colours=Colours("#999999", "#ffffff"))


def test_a_name_the_core_fonts_cannot_print_is_printed_as_near_as_they_can() -> None:
    """Seen failing with printable() returning its input: fpdf2 then refused the name."""
    assert "Cyngor Gwynedd W" in page_text(make(council="Cyngor Gwynedd Ŵ"))
    assert printable("Cyngor Sir Ynys Môn") == "Cyngor Sir Ynys Môn"
    curly = "Camden\u2019s \u201cWarm Spaces\u201d"  # Windows-1252 has these
    assert printable(curly) == curly
    assert printable("Ŵ Ĉ 漢") == "W C ?"
