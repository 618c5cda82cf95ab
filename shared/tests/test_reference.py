"""civic.reference on the real Camden files in infra/reference/camden: what loads, where a
postcode or a point is placed, and which strings count as a UK postcode."""

from __future__ import annotations

import csv

import pytest

from civic.paths import infra_file
from civic.reference import POSTCODE_RE, Geography, normalise_postcode

# Real places (WGS84 lon, lat) and where Camden's boundaries put them.
BRITISH_MUSEUM = (-0.1270, 51.5194)  # Great Russell Street: Bloomsbury, LSOA Camden 028A
HAMPSTEAD_HEATH = (-0.1657, 51.5560)  # Hampstead Town
TRAFALGAR_SQUARE = (-0.1281, 51.5080)  # Westminster, not Camden


@pytest.fixture(scope="module")
def camden() -> Geography:
    return Geography.load("camden")


def _csv_rows(name: str) -> list[dict[str, str]]:
    with infra_file("reference", "camden", name).open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_camden_loads_every_ward_small_area_and_postcode(camden):
    assert camden.council == "camden"
    assert len(camden.wards) == 18
    assert len(camden.areas) == 133
    assert len(camden.postcodes) == len(_csv_rows("postcodes.csv")) == 6820
    assert camden.wards["E05000142"].name == "Regent's Park"
    assert camden.wards["E05000129"].name == "Bloomsbury"
    deprivation = {r["lsoa_code"]: r for r in _csv_rows("lsoa_deprivation.csv")}
    assert set(camden.areas) == set(deprivation)
    for area in camden.areas.values():
        row = deprivation[area.code]
        assert area.ward_code == row["ward_code"] and area.ward_code in camden.wards
        assert (area.imd_rank, area.imd_decile, area.population) == (
            int(row["imd_rank"]), int(row["imd_decile"]), int(row["population_2015"]))
        assert 1 <= area.imd_decile <= 10 and area.population > 0
        assert area.geometry.is_valid and not area.geometry.is_empty
        # each small area lies (almost) wholly inside the ward it is filed under
        assert camden.wards[area.ward_code].geometry.covers(
            area.geometry.representative_point())


@pytest.mark.parametrize(("postcode", "lsoa", "lsoa_name", "ward", "ward_name"), [
    ("NW1 0AA", "E01000947", "Camden 021C", "E05000142", "Regent's Park"),
    ("NW3 1AA", "E01000899", "Camden 002E", "E05000135", "Hampstead Town"),
    ("NW1 2DB", "E01000956", None, "E05000143", None),
])
def test_a_known_postcode_is_placed_in_its_small_area_and_ward(
        camden, postcode, lsoa, lsoa_name, ward, ward_name):
    area = camden.area_for_postcode(postcode)
    assert area is not None and area.code == lsoa and area.ward_code == ward
    if lsoa_name:
        assert area.name == lsoa_name
    if ward_name:
        assert camden.wards[ward].name == ward_name


def test_every_postcode_in_the_file_is_placed_as_the_file_says(camden):
    for row in _csv_rows("postcodes.csv"):
        area = camden.area_for_postcode(row["postcode"])
        assert area is not None and area.code == row["lsoa_code"], row["postcode"]


def test_a_postcode_outside_the_file_is_not_placed_and_lookups_want_normal_form(camden):
    assert camden.area_for_postcode("SW1A 2AA") is None  # Downing Street
    assert camden.area_for_postcode("nw10aa") is None
    assert camden.area_for_postcode(normalise_postcode("nw10aa") or "") is not None


def test_area_at_places_real_points_by_point_in_polygon(camden):
    """Mutation seen failing: area_at returning the first index candidate without
    the ``covers`` test (a bounding box is not the area)."""
    museum = camden.area_at(*BRITISH_MUSEUM)
    assert museum is not None
    assert (museum.code, museum.name, museum.ward_code) == (
        "E01000855", "Camden 028A", "E05000129")
    heath = camden.area_at(*HAMPSTEAD_HEATH)
    assert heath is not None and camden.wards[heath.ward_code].name == "Hampstead Town"
    assert camden.area_at(*TRAFALGAR_SQUARE) is None
    # longitude first: the same place given lat, lon is nowhere near London
    assert camden.area_at(BRITISH_MUSEUM[1], BRITISH_MUSEUM[0]) is None
    for area in camden.areas.values():
        inside = area.geometry.representative_point()
        assert camden.area_at(inside.x, inside.y) is area


@pytest.mark.parametrize(("raw", "normal"), [
    ("NW1 0AA", "NW1 0AA"),
    ("nw1 0aa", "NW1 0AA"),
    ("NW10AA", "NW1 0AA"),
    ("  nw1\t 0aa\n", "NW1 0AA"),
    ("nw1\u00a00aa", "NW1 0AA"),  # a no-break space pasted from a web page
    ("N W 1 0 A A", "NW1 0AA"),
    ("ec1a1bb", "EC1A 1BB"),  # A9A outward code
    ("W1A 0AX", "W1A 0AX"),
    ("M1 1AE", "M1 1AE"),  # A9
    ("B33 8TH", "B33 8TH"),  # A99
    ("CR2 6XH", "CR2 6XH"),
    ("DN55 1PT", "DN55 1PT"),  # AA99
])
def test_postcodes_are_normalised_to_upper_case_with_one_space(raw, normal):
    assert normalise_postcode(raw) == normal


@pytest.mark.parametrize("raw", [
    "", "   ", "NW1", "0AA", "NW1 0A", "NW1 0AAA", "NW1 AAA", "1NW 0AA", "NWW1 0AA",
    "NW123 0AA", "NW1-0AA", "NW1 0AA;", "NW1 0AA x", "<NW1 0AA>",
    "NW\uff11 0AA",  # a full-width digit one
    "NW1 \u0660AA",  # an Arabic-Indic digit zero
])
def test_strings_not_shaped_like_a_uk_postcode_are_refused(raw):
    """Mutation seen failing, before the fix: POSTCODE_RE used ``\\d``, which matches any
    Unicode digit, so "NW\uff11 0AA" was accepted as a postcode."""
    assert normalise_postcode(raw) is None


def test_the_postcode_pattern_refuses_a_trailing_newline():
    assert POSTCODE_RE.match("NW10AA")
    assert POSTCODE_RE.match("NW1 0AA")
    assert not POSTCODE_RE.match("NW1 0AA\n")
