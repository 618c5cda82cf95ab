"""``GET /v1/codes/{code}.svg|.png|.pdf`` through the real app: staff only, the code
read as people type it, parameters bounded, and the bytes served read back as the
code's scan URL. (The SVG is read back by a real renderer in test_svg_browser.py.)"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from civic.contracts.qr import CODE_ALPHABET
from qr_events.codes.identifiers import check_character

FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


@pytest.fixture
def code(make_code: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_code()


def get(client: TestClient, path: str, headers: dict[str, str] | None,
        **params: Any) -> Any:
    return client.get(path, params=params, headers=headers)


@pytest.mark.parametrize("ext", FORMATS)
def test_each_format_is_served_inline_named_for_the_code(
        client: TestClient, staff: dict[str, str], code: dict[str, Any], ext: str) -> None:
    """Asked for in lower case: the code is read as people type it."""
    response = get(client, f"/v1/codes/{code['code'].lower()}.{ext}", staff)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == FORMATS[ext]
    assert response.headers["content-disposition"] == (
        f'inline; filename="qr-{code["code"]}.{ext}"')
    assert response.headers["cache-control"] == "private, max-age=300"


def test_the_png_served_reads_back_as_the_scan_url(
        client: TestClient, staff: dict[str, str], code: dict[str, Any], phone: Any) -> None:
    """Seen failing with the service encoding ``links.short_url`` (no ``?via=qr``)."""
    # "#" is sent as %23, and may be left out
    response = get(client, f"/v1/codes/{code['code']}.png", staff, size_mm=25, dpi=600,
                   dark="1d3557", light="#F1FAEE")
    image = Image.open(io.BytesIO(response.content))
    assert phone.read(image) == [code["scan_url"]]
    assert code["scan_url"].endswith("?via=qr")
    assert image.info["dpi"][0] >= 600
    assert image.width / image.info["dpi"][0] * 25.4 == pytest.approx(25, rel=0.01)


@pytest.mark.parametrize("paper, width_pt", [("a4", 595.28), ("a5", 419.53)])
def test_the_poster_served_reads_back_and_prints_the_short_url(
        client: TestClient, staff: dict[str, str], code: dict[str, Any], phone: Any,
        paper: str, width_pt: float) -> None:
    """Seen failing with the service printing the scan URL (``?via=qr`` would then count
    typed visits as scans)."""
    response = get(client, f"/v1/codes/{code['code']}.pdf", staff, paper=paper)
    page = pdfium.PdfDocument(response.content)[0]
    assert page.get_size()[0] == pytest.approx(width_pt, abs=0.5)
    assert phone.read(page.render(scale=150 / 72).to_pil()) == [code["scan_url"]]
    text = page.get_textpage().get_text_range()
    printed = code["short_url"].split("://", 1)[1]
    assert printed in text
    assert "via=qr" not in text
    assert "London Borough of Camden" in text


@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("colours, slug, fields", [
    ({"dark": "#888888"}, "qr-low-contrast", "dark, light: "),
    ({"dark": "#ffffff", "light": "#000000"}, "qr-colours-inverted", "dark, light: "),
    ({"light": "#999999"}, "qr-light-too-dark", "light: ")])
def test_colours_a_phone_may_not_read_are_refused_naming_the_fields(
        client: TestClient, staff: dict[str, str], code: dict[str, Any], ext: str,
        colours: dict[str, str], slug: str, fields: str) -> None:
    response = get(client, f"/v1/codes/{code['code']}.{ext}", staff, **colours)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith(f"/{slug}")
    assert problem["detail"].startswith(fields)


@pytest.mark.parametrize("path, params, field", [
    ("png", {"size_mm": 19}, "query.size_mm"), ("png", {"size_mm": 301}, "query.size_mm"),
    ("svg", {"size_mm": 0}, "query.size_mm"), ("png", {"dpi": 71}, "query.dpi"),
    ("png", {"dpi": 1201}, "query.dpi"), ("svg", {"dark": "black"}, "query.dark"),
    ("png", {"light": "#fff"}, "query.light"), ("pdf", {"paper": "a3"}, "query.paper"),
    ("png", {"size": 30}, "query.size"), ("svg", {"dpi": 300}, "query.dpi")])
def test_parameters_out_of_range_or_unknown_are_refused_naming_the_field(
        client: TestClient, staff: dict[str, str], code: dict[str, Any], path: str,
        params: dict[str, Any], field: str) -> None:
    """An unknown parameter too: a mistyped ``size`` must not print the default size.
    Seen failing with ``extra="forbid"`` removed."""
    response = get(client, f"/v1/codes/{code['code']}.{path}", staff, **params)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_png_too_many_pixels_wide_is_refused_naming_both_fields(
        client: TestClient, staff: dict[str, str], code: dict[str, Any]) -> None:
    response = get(client, f"/v1/codes/{code['code']}.png", staff, size_mm=300, dpi=1200)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("size_mm, dpi: ")
    assert get(client, f"/v1/codes/{code['code']}.png", staff, size_mm=300,
               dpi=600).status_code == 200


@pytest.mark.parametrize("ext", FORMATS)
def test_only_staff_get_images(client: TestClient, partner: dict[str, str],
                               code: dict[str, Any], ext: str) -> None:
    assert get(client, f"/v1/codes/{code['code']}.{ext}", None).status_code == 401
    assert get(client, f"/v1/codes/{code['code']}.{ext}", partner).status_code == 403


@pytest.mark.parametrize("ext", FORMATS)
def test_a_mistyped_code_is_422_and_an_unknown_one_404(
        client: TestClient, staff: dict[str, str], code: dict[str, Any], ext: str) -> None:
    real = code["code"]
    typo = real[:-1] + next(c for c in CODE_ALPHABET if c != real[-1])
    response = get(client, f"/v1/codes/{typo}.{ext}", staff)
    assert response.status_code == 422
    assert response.json()["type"].endswith("/bad-code")
    body = next(b for b in (CODE_ALPHABET[:6], CODE_ALPHABET[1:7])
                if b + check_character(b) != real)
    unknown = get(client, f"/v1/codes/{body + check_character(body)}.{ext}", staff)
    assert unknown.status_code == 404


def test_the_code_itself_is_still_json(client: TestClient, staff: dict[str, str],
                                       code: dict[str, Any]) -> None:
    """The image routes come first and take only their own suffixes."""
    response = get(client, f"/v1/codes/{code['code']}", staff)
    assert response.status_code == 200
    assert response.json()["code"] == code["code"]
