"""Residents anywhere in Camden are placed from their postcode, not only in NW1 and NW3.

Before postcodes.csv was built from every Camden row of Code-Point Open, a resident in
Kentish Town (NW5) or Bloomsbury (WC1) was flagged for staff to place by hand: these
tests failed on that file (2,412 postcodes, NW1 and NW3 only)."""

from __future__ import annotations

import csv

import pytest

from case_intake.location.resolver import LocationResolver
from civic.paths import infra_file
from civic.reference import geography, normalise_postcode

DISTRICTS = ["EC1", "N1", "N1C", "N6", "N7", "N19", "NW1", "NW2", "NW3", "NW5", "NW6",
             "NW8", "W1T", "WC1", "WC2"]


def _published_wards() -> dict[str, str]:
    """Code-Point Open's own ward for every Camden postcode: the expectation, read from
    the source rather than from the file under test."""
    path = infra_file("reference", "camden", "sources", "codepoint_open_2014_camden.csv")
    with path.open(newline="") as fh:
        return {normalise_postcode(r["Postcode"]) or "": r["Admin_ward_code"]
                for r in csv.DictReader(fh)}


def _district(postcode: str) -> str:
    outward = postcode.split()[0]
    # EC1M -> EC1, WC1H -> WC1, W1T -> W1T (a district of its own), N1C -> N1C
    return outward if outward in DISTRICTS else outward.rstrip("ABCDEFGHJKLMNPRSTUVWXY")


@pytest.mark.parametrize("district", DISTRICTS)
def test_every_camden_district_places_its_postcodes_in_their_wards(district: str) -> None:
    resolver = LocationResolver(geography())
    published = _published_wards()
    ours = sorted(p for p in published if _district(p) == district)
    placed = [(p, resolver.resolve(postcode=p, ward_code=None, lsoa_code=None)) for p in ours]
    resolved = [(p, r) for p, r in placed if r.resolved]
    assert resolved, f"no {district} postcode is placed"
    sample, result = resolved[0]
    assert result.ward_code == published[sample], sample
    agree = sum(r.ward_code == published[p] for p, r in resolved)
    assert agree >= 0.99 * len(resolved)


def test_a_case_from_kentish_town_or_bloomsbury_is_placed_in_its_ward(client, as_,
                                                                      case_body) -> None:
    for postcode, ward in (("NW5 1AH", "E05000139"), ("WC1H 9JE", "E05000141")):
        response = client.post("/v1/cases", json=case_body(location={"postcode": postcode}),
                               headers=as_("staff"))
        assert response.status_code == 201, response.text
        location = response.json()["location"]
        assert (location["ward_code"], location["resolved"]) == (ward, True), postcode
