"""The query parameters of the image endpoints, one model per format so each operation
in the OpenAPI document lists only what it uses. Ranges are checked here, so a value out
of range is a 422 naming the field; whether two colours contrast enough is a rule of the
domain, checked in ``rendering``."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from qr_events.images.poster import Paper
from qr_events.images.rendering import MAX_PNG_PX, Colours

# "#" must be sent as %23 in a query string, so it may be left out.
HEX_COLOUR = r"^#?[0-9A-Fa-f]{6}$"
MIN_SIZE_MM, MAX_SIZE_MM = 20, 300  # 2 cm is the usual print minimum; 300 mm a large poster
MIN_DPI, MAX_DPI = 72, 1200


class ImageQuery(BaseModel):
    # A mistyped parameter must fail, not silently print the default size.
    model_config = ConfigDict(extra="forbid")

    dark: Annotated[str, Field(pattern=HEX_COLOUR, description="The modules' colour, "
                               "`#rrggbb` (or `rrggbb`); at least 4.5:1 against `light`, "
                               "and darker than it")] = "#000000"
    light: Annotated[str, Field(pattern=HEX_COLOUR, description="The background and quiet "
                                "zone's colour, `#rrggbb` (or `rrggbb`); light: #bcbcbc "
                                "or lighter (relative luminance 0.5)")] = "#ffffff"

    @field_validator("dark", "light")
    @classmethod
    def _canonical(cls, value: str) -> str:
        return "#" + value.removeprefix("#").lower()

    @property
    def colours(self) -> Colours:
        return Colours(dark=self.dark, light=self.light)


class SvgQuery(ImageQuery):
    size_mm: Annotated[float, Field(ge=MIN_SIZE_MM, le=MAX_SIZE_MM, description="Printed "
                                    "width of the symbol, its quiet zone included, in "
                                    "millimetres")] = 40


class PngQuery(SvgQuery):
    dpi: Annotated[int, Field(ge=MIN_DPI, le=MAX_DPI, description="Print resolution, at "
                              "least: modules are whole pixels, so the image may be a little "
                              "sharper; its pHYs chunk prints it at `size_mm`. Size and dpi "
                              f"together may make at most {MAX_PNG_PX} pixels")] = 300


class PosterQuery(ImageQuery):
    paper: Annotated[Paper, Field(description="Paper size of the one-page poster")] = Paper.A4
