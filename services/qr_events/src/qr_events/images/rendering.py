"""A code's QR symbol as SVG and PNG, and the rules every symbol we hand out keeps.

- **Quiet zone of 4 modules**, ISO/IEC 18004's minimum, always drawn in the light
  colour: a scanner finds the symbol by the empty band around it, and a noticeboard
  is never empty.
- **Error correction Q at least** (25% of codewords recoverable). For a scan URL of
  about 42 bytes, a block over 10% of the symbol (finder patterns spared) broke M at
  82% of the positions tried and Q at none; Q costs one version (33 modules, not 29).
  ``boost_error`` then raises the level for free whenever the URL fits the same
  version, so a symbol is never bigger than its minimum level needs.
- **Dark on light**, for many phone scanners never try an inverted symbol, with a
  contrast ratio of at least 4.5:1 (WCAG's, a number designers already check; on white
  it leaves the dark reflecting at most 18% of the light, ISO 18004's best grade) and a
  light colour that is light: relative luminance 0.5 at least. The ratio alone is
  lopsided for a symbol, whose light modules must also stand out from the page round
  it. Measured on noticeboards of scattered marks at 2.3 pixels a module: black on
  #757575 (4.56:1, allowed by the ratio) read on none of 20 boards, on #808080
  (luminance 0.22) on 17, on #888888 (0.25) on all; at the other end, #a0a0a0 on white
  (2.6:1) still read. 0.5 gives the light end the margin the dark end already has.
- **Modules are whole pixels** in a PNG: a resampled edge is a blurred edge.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import segno

from civic.errors import InvalidInput

QUIET_ZONE = 4  # modules
ERROR_LEVEL = "q"
MIN_CONTRAST = 4.5
MIN_LIGHT_LUMINANCE = 0.5  # about #bcbcbc
MM_PER_INCH = 25.4
MAX_PNG_PX = 10_000  # 300 mm at 600 dpi fits; 10k px renders in ~0.2 s, bigger is abuse


@dataclass(frozen=True)
class Colours:
    """Both as ``#rrggbb``. The light colour is always painted, never transparent, so
    the quiet zone doesn't depend on what the image is placed on."""

    dark: str = "#000000"
    light: str = "#ffffff"


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of an sRGB ``#rrggbb`` colour, 0 (black) to 1."""
    channels = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
               for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2's contrast ratio, 1 (none) to 21 (black on white), whichever is darker."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def check_colours(colours: Colours) -> None:
    """Refuse a pair that a phone in a dim corridor may not read."""
    if relative_luminance(colours.dark) >= relative_luminance(colours.light):
        raise InvalidInput(
            "Colours inverted", f"dark, light: the dark colour ({colours.dark}) must be "
            f"darker than the light one ({colours.light}); many scanners can't read a "
            "light-on-dark code", slug="qr-colours-inverted")
    if (light := relative_luminance(colours.light)) < MIN_LIGHT_LUMINANCE:
        raise InvalidInput(
            "Background too dark", f"light: {colours.light} is too dark for a QR code's "
            f"background (relative luminance {light:.2f}; at least {MIN_LIGHT_LUMINANCE}, "
            "about #bcbcbc)", slug="qr-light-too-dark")
    ratio = contrast_ratio(colours.dark, colours.light)
    if ratio < MIN_CONTRAST:
        raise InvalidInput(
            "Too little contrast", f"dark, light: {colours.dark} on {colours.light} has a "
            f"contrast ratio of {ratio:.2f}:1; a QR code needs at least {MIN_CONTRAST}:1 "
            "(a darker dark or a lighter light)", slug="qr-low-contrast")


def symbol(url: str, error: str = ERROR_LEVEL) -> segno.QRCode:
    # make_qr, not make: a Micro QR is smaller but most phone cameras can't read one
    return segno.make_qr(url, error=error, boost_error=True)


def modules_across(qr: segno.QRCode) -> int:
    """The symbol's width in modules, quiet zone included."""
    return int(qr.symbol_size(scale=1, border=QUIET_ZONE)[0])


def svg(url: str, *, size_mm: float, colours: Colours) -> bytes:
    """A vector symbol ``size_mm`` wide (quiet zone included), with a viewBox so it also
    scales cleanly when someone resizes it on a page."""
    check_colours(colours)
    qr = symbol(url)
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=size_mm / modules_across(qr), unit="mm",
            border=QUIET_ZONE, dark=colours.dark, light=colours.light,
            title="QR code", svgclass=None, lineclass=None)
    return out.getvalue()


@dataclass(frozen=True)
class PngGeometry:
    pixels_per_module: int
    width_px: int
    dpi: int  # as written in the file: at this resolution it prints ``size_mm`` wide


def png_geometry(modules: int, *, size_mm: float, dpi: int) -> PngGeometry:
    """Whole pixels per module, rounded up, so ``dpi`` is a floor on sharpness; the file
    then says the resolution that prints it at ``size_mm``, to within 1%."""
    per_module = max(1, math.ceil(size_mm / MM_PER_INCH * dpi / modules))
    width = per_module * modules
    if width > MAX_PNG_PX:
        raise InvalidInput(
            "Image too large", f"size_mm, dpi: {size_mm:g} mm at {dpi} dpi would be "
            f"{width} pixels wide; the most is {MAX_PNG_PX} (lower the dpi: print needs "
            "no more than 600)", slug="qr-image-too-large")
    return PngGeometry(per_module, width, round(width / (size_mm / MM_PER_INCH)))


def png(url: str, *, size_mm: float, dpi: int, colours: Colours) -> bytes:
    check_colours(colours)
    qr = symbol(url)
    geometry = png_geometry(modules_across(qr), size_mm=size_mm, dpi=dpi)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=geometry.pixels_per_module, border=QUIET_ZONE,
            dark=colours.dark, light=colours.light, dpi=geometry.dpi)
    return out.getvalue()
