"""Reading QR images the way a phone does, after the damage a printed code meets.

Damage is measured in modules, not pixels, so it means the same for a 40 mm sticker
and an A4 poster; the helpers find the symbol (and its module size) by reading the
undamaged image first.

- **On a noticeboard**: the image is pasted onto a page of marks, lines of text or
  scattered dashes, as printed codes usually are, so only the image's own quiet zone
  separates the symbol from clutter. (zxing copes with a 1-module quiet zone here, and
  often with none; phone scanners are less forgiving, so the 4 modules are also
  measured directly.)
- **Downscaled** to 2.3 pixels per module with box averaging, as a camera sensor does
  (a sticker seen from across a room); not a whole number, so modules straddle pixels.
- **Blurred**: at 4 pixels per module, a Gaussian of radius 1.5 px (0.375 module), an
  out-of-focus camera.
- **Occluded**: a square block over a given share of the symbol (quiet zone excluded),
  painted dark and then light, at every position on a 2-module grid that spares the
  three finder patterns (a covered finder stops detection, which no error correction
  can help).

The reader never tries an inverted image: many phone scanners don't.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter

QR_ONLY = zxingcpp.barcode_formats_from_str("QRCode")


@pytest.fixture
def database_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    """Images don't depend on the database engine; codes are tested on both elsewhere."""
    return f"sqlite:///{tmp_path}/images.db"


@dataclass(frozen=True)
class Symbol:
    """Where the symbol is in an image: its edges (quiet zone excluded) in pixels."""

    left: float
    top: float
    right: float
    bottom: float
    modules: int  # across, quiet zone excluded
    ec_level: str

    @property
    def module_px(self) -> float:
        return (self.right - self.left) / self.modules


class Phone:
    def read(self, image: Image.Image) -> list[str]:
        return [b.text for b in self._barcodes(image)]

    def locate(self, image: Image.Image) -> Symbol:
        found = self._barcodes(image)
        assert len(found) == 1, f"expected one QR symbol, read {len(found)}"
        extra = cast(dict[str, Any], found[0].extra)
        position, version = found[0].position, int(extra["Version"])
        xs = [position.top_left.x, position.bottom_left.x, position.top_right.x,
              position.bottom_right.x]
        ys = [position.top_left.y, position.top_right.y, position.bottom_left.y,
              position.bottom_right.y]
        return Symbol(min(xs), min(ys), max(xs), max(ys), 17 + 4 * version,
                      found[0].ec_level)

    def quiet_zone(self, image: Image.Image, most: int = 8) -> int:
        """Whole modules of light all round the symbol, up to ``most``; the image's edge
        ends it. A pixel is light if nearer the symbol's light than its dark."""
        grey, symbol = image.convert("L"), self.locate(image)
        darkest, lightest = self._extrema(grey.crop(self._box(symbol, 0)))
        threshold = (darkest + lightest) / 2
        tolerance = max(1, round(symbol.module_px / 4))  # anti-aliased edges
        for ring in range(1, most + 1):
            inner = self._box(symbol, (ring - 1) * symbol.module_px + tolerance)
            outer = self._box(symbol, ring * symbol.module_px - tolerance)
            if outer[0] < 0 or outer[1] < 0 or outer[2] > grey.width or outer[3] > grey.height:
                return ring - 1
            strips = [(outer[0], outer[1], outer[2], inner[1]),
                      (outer[0], inner[3], outer[2], outer[3]),
                      (outer[0], inner[1], inner[0], inner[3]),
                      (inner[2], inner[1], outer[2], inner[3])]
            if any(self._extrema(grey.crop(s))[0] < threshold for s in strips):
                return ring - 1
        return most

    def on_noticeboard(self, image: Image.Image, marks: str = "text") -> Image.Image:
        """The image pasted on a page of ``marks`` that run up to its edges: "text",
        lines of word-like dashes, or "scattered", dashes anywhere."""
        image = image.convert("L")
        pad = image.width // 2
        board = Image.new("L", (image.width + 2 * pad, image.height + 2 * pad), 255)
        draw, rnd = ImageDraw.Draw(board), random.Random(7)
        if marks == "text":
            unit = max(2, image.width // 30)  # about a module and a third of a version 4
            for y in range(0, board.height, 2 * unit):
                x = rnd.randrange(2 * unit) - 2 * unit
                while x < board.width:
                    word = rnd.randint(2, 6) * unit
                    draw.rectangle((x, y, x + word - 1, y + unit - 1), fill=0)
                    x += word + unit
        else:
            unit = max(3, image.width // 40)
            for _ in range(board.width * board.height // (unit * unit * 6)):
                x, y = rnd.randrange(board.width), rnd.randrange(board.height)
                draw.rectangle((x, y, x + rnd.randint(unit, 3 * unit),
                                y + rnd.randint(1, unit)), fill=0)
        board.paste(image, (pad, pad))
        return board

    def downscaled(self, image: Image.Image, per_module: float = 2.3) -> Image.Image:
        return self._at(image, per_module)

    def blurred(self, image: Image.Image, radius_px: float = 1.5) -> Image.Image:
        return self._at(image, 4).filter(ImageFilter.GaussianBlur(radius_px))

    def occluded(self, image: Image.Image, share: float) -> Iterator[tuple[str, Image.Image]]:
        """(where, image) for a block over ``share`` of the symbol at each position."""
        symbol = self.locate(image)
        n, m = symbol.modules, symbol.module_px
        side = math.ceil(math.sqrt(share * n * n))
        finders = [(0, 0), (n - 8, 0), (0, n - 8)]  # 7 modules and their separator
        for y in range(0, n - side + 1, 2):
            for x in range(0, n - side + 1, 2):
                if any(x < fx + 8 and x + side > fx and y < fy + 8 and y + side > fy
                       for fx, fy in finders):
                    continue
                for fill in ("black", "white"):
                    damaged = image.convert("RGB")
                    ImageDraw.Draw(damaged).rectangle(
                        (symbol.left + x * m, symbol.top + y * m,
                         symbol.left + (x + side) * m - 1, symbol.top + (y + side) * m - 1),
                        fill=fill)
                    yield f"{side}x{side} modules at ({x}, {y}), {fill}", damaged

    def _at(self, image: Image.Image, per_module: float) -> Image.Image:
        factor = per_module / self.locate(image).module_px
        return image.convert("L").resize(
            (round(image.width * factor), round(image.height * factor)), Image.Resampling.BOX)

    @staticmethod
    def _box(symbol: Symbol, grow: float) -> tuple[int, int, int, int]:
        return (math.floor(symbol.left - grow), math.floor(symbol.top - grow),
                math.ceil(symbol.right + grow), math.ceil(symbol.bottom + grow))

    @staticmethod
    def _extrema(grey: Image.Image) -> tuple[float, float]:
        low, high = grey.getextrema()
        return float(low), float(high)  # type: ignore[arg-type]  # one band: two numbers

    @staticmethod
    def _barcodes(image: Image.Image) -> list[zxingcpp.Barcode]:
        return list(zxingcpp.read_barcodes(image, formats=QR_ONLY, try_invert=False))


@pytest.fixture(scope="session")
def phone() -> Phone:
    return Phone()
