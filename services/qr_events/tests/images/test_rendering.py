"""The symbol's rules (``images/rendering.py``): what it encodes, its quiet zone, error
correction and colours, and that a PNG reads back after a phone's kind of damage and
prints at the size asked for."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from civic.errors import InvalidInput
from qr_events.images.rendering import (
    MAX_PNG_PX,
    MIN_CONTRAST,
    Colours,
    check_colours,
    contrast_ratio,
    png,
    png_geometry,
    svg,
)

SCAN_URL = "https://qr.camden.gov.uk/q/K7M2QX4?via=qr"


def grey(value: int) -> str:
    return f"#{value:02x}{value:02x}{value:02x}"


def allowed(dark: str, light: str) -> bool:
    try:
        check_colours(Colours(dark, light))
    except InvalidInput:
        return False
    return True


# Found by asking the rule itself, so loosening it moves these pairs with it.
DARKEST_LIGHT = next(grey(v) for v in range(256) if allowed("#000000", grey(v)))
LIGHTEST_DARK = next(grey(v) for v in range(255, -1, -1) if allowed(grey(v), "#ffffff"))
LIGHTEST_DARK_ON_DARKEST_LIGHT = next(grey(v) for v in range(255, -1, -1)
                                      if allowed(grey(v), DARKEST_LIGHT))
# The defaults, the edges of what is allowed, and a brand-like pair.
EDGE_COLOURS = [Colours(), Colours(LIGHTEST_DARK, "#ffffff"),
                Colours("#000000", DARKEST_LIGHT),
                Colours(LIGHTEST_DARK_ON_DARKEST_LIGHT, DARKEST_LIGHT),
                Colours("#1d3557", "#f1faee")]


def as_image(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def test_contrast_ratio_is_wcag_s() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#123456", "#123456") == pytest.approx(1)


@pytest.mark.parametrize("colours", EDGE_COLOURS, ids=str)
def test_enough_contrast_is_accepted(colours: Colours) -> None:
    check_colours(colours)


@pytest.mark.parametrize("dark, light", [("#777777", "#ffffff"), ("#4d4d4d", "#bcbcbc"),
                                         ("#ff0000", "#ffffff"), ("#777777", "#eeeeee")])
def test_too_little_contrast_is_refused_naming_both_fields(dark: str, light: str) -> None:
    """Seen failing with MIN_CONTRAST lowered to 3 (#777777 on white, 4.48:1, passed)."""
    assert contrast_ratio(dark, light) < MIN_CONTRAST
    with pytest.raises(InvalidInput) as refused:
        check_colours(Colours(dark, light))
    assert refused.value.slug == "qr-low-contrast"
    assert refused.value.detail.startswith("dark, light: ")


@pytest.mark.parametrize("light", ["#b0b0b0", "#757575", "#e07000"])
def test_a_light_colour_that_isn_t_light_is_refused_naming_it(light: str) -> None:
    """Seen failing with the luminance check removed: black on each has 4.5:1 or more."""
    assert contrast_ratio("#000000", light) >= MIN_CONTRAST
    with pytest.raises(InvalidInput) as refused:
        check_colours(Colours("#000000", light))
    assert refused.value.slug == "qr-light-too-dark"
    assert refused.value.detail.startswith("light: ")


def test_an_inverted_code_is_refused_however_strong_its_contrast() -> None:
    """Seen failing with the darker-than check removed: white on black is 21:1."""
    with pytest.raises(InvalidInput) as refused:
        check_colours(Colours("#ffffff", "#000000"))
    assert refused.value.slug == "qr-colours-inverted"
    assert refused.value.detail.startswith("dark, light: ")


def test_every_format_checks_the_colours() -> None:
    low = Colours("#999999", "#ffffff")
    with pytest.raises(InvalidInput):
        svg(SCAN_URL, size_mm=40, colours=low)
    with pytest.raises(InvalidInput):
        png(SCAN_URL, size_mm=40, dpi=300, colours=low)


def test_the_edges_of_the_allowed_colours_are_where_they_should_be() -> None:
    assert (LIGHTEST_DARK, DARKEST_LIGHT, LIGHTEST_DARK_ON_DARKEST_LIGHT) == (
        "#767676", "#bcbcbc", "#4c4c4c")


@pytest.mark.parametrize("colours", EDGE_COLOURS, ids=str)
def test_png_reads_back_exactly_with_q_or_better_and_a_4_module_quiet_zone(
        phone: Any, colours: Colours) -> None:
    """Seen failing with error="m" (ec_level M) and with QUIET_ZONE = 3."""
    image = as_image(png(SCAN_URL, size_mm=40, dpi=300, colours=colours))
    assert phone.read(image) == [SCAN_URL]
    assert phone.locate(image).ec_level in ("Q", "H")
    assert phone.quiet_zone(image) == 4  # exactly 4: the image ends there


@pytest.mark.parametrize("marks", ["text", "scattered"])
@pytest.mark.parametrize("colours", EDGE_COLOURS, ids=str)
def test_png_on_a_noticeboard_reads_back_downscaled_and_blurred(
        phone: Any, colours: Colours, marks: str) -> None:
    """Seen failing with QUIET_ZONE = 0 (text: the lines then touch the symbol), with
    the light colour's luminance check removed (scattered: black on #757575, 4.56:1,
    failed) and with MIN_CONTRAST = 2 (text: #b7b7b7 on white failed)."""
    image = phone.on_noticeboard(as_image(png(SCAN_URL, size_mm=40, dpi=300,
                                               colours=colours)), marks)
    assert phone.read(phone.downscaled(image)) == [SCAN_URL]
    assert phone.read(phone.blurred(image)) == [SCAN_URL]


def test_png_reads_back_with_a_tenth_of_it_covered(phone: Any) -> None:
    """Seen failing with error="m": most positions of the block then break it."""
    image = as_image(png(SCAN_URL, size_mm=40, dpi=150, colours=Colours()))
    broken = [where for where, damaged in phone.occluded(image, 0.10)
              if phone.read(damaged) != [SCAN_URL]]
    assert not broken


@pytest.mark.parametrize("size_mm, dpi", [(20, 72), (40, 300), (33.3, 600), (300, 600),
                                          (20, 1200)])
def test_png_prints_at_the_size_asked_for(size_mm: float, dpi: int) -> None:
    """Seen failing with the requested dpi written instead of the one that fits: 20 mm at
    72 dpi then printed 29 mm wide."""
    image = as_image(png(SCAN_URL, size_mm=size_mm, dpi=dpi, colours=Colours()))
    written = image.info["dpi"][0]
    assert written >= dpi * 0.995  # a floor on sharpness, but for rounding
    assert image.width / written * 25.4 == pytest.approx(size_mm, rel=0.01)


@pytest.mark.parametrize("size_mm, dpi", [(20, 72), (33.3, 600)])
def test_png_modules_are_whole_pixels(phone: Any, size_mm: float, dpi: int) -> None:
    """Seen failing with the PNG drawn at 1 pixel a module and resized, bilinear, to the
    exact pixel width asked for."""
    image = as_image(png(SCAN_URL, size_mm=size_mm, dpi=dpi, colours=Colours()))
    per_module = round(phone.locate(image).module_px)
    modules = image.width // per_module
    assert image.width == modules * per_module
    grid = image.convert("L").resize((modules, modules), Image.Resampling.NEAREST)
    again = grid.resize(image.size, Image.Resampling.NEAREST)
    assert again.tobytes() == image.convert("L").tobytes(), "a module isn't whole pixels"


def test_png_refuses_a_size_and_dpi_too_many_pixels_wide() -> None:
    """Seen failing with the MAX_PNG_PX check removed (a 14,186 px image was made)."""
    with pytest.raises(InvalidInput) as refused:
        png(SCAN_URL, size_mm=300, dpi=1200, colours=Colours())
    assert refused.value.detail.startswith("size_mm, dpi: ")
    assert png_geometry(41, size_mm=300, dpi=600).width_px <= MAX_PNG_PX


def test_svg_is_its_size_in_millimetres_and_scales() -> None:
    text = svg(SCAN_URL, size_mm=37.5, colours=Colours("#1d3557", "#f1faee")).decode()
    assert 'width="37.5mm" height="37.5mm"' in text
    assert 'viewBox="0 0 37.5 37.5"' in text
    assert "<script" not in text
