"""The council's reference geography: wards, small areas (LSOAs) and deprivation.

Loaded from ``infra/reference/<council>/`` (see its README for sources and licence). A
council adopting the platform drops in its own files of the same shape and sets
``CIVIC_COUNCIL``; no code changes.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from civic.paths import infra_file


@dataclass(frozen=True)
class Ward:
    code: str
    name: str
    geometry: BaseGeometry = field(repr=False, compare=False)


@dataclass(frozen=True)
class SmallArea:
    code: str
    name: str
    ward_code: str
    imd_rank: int
    imd_decile: int
    population: int
    geometry: BaseGeometry = field(repr=False, compare=False)


# ASCII digits only (``\d`` would take any Unicode digit), and ``\Z`` rather than ``$``,
# which also matches before a trailing newline.
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\Z")


def normalise_postcode(raw: str) -> str | None:
    """'nw1  2db' -> 'NW1 2DB'; None when it is not shaped like a UK postcode."""
    compact = re.sub(r"\s+", "", raw.upper())
    match = POSTCODE_RE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


class Geography:
    def __init__(self, council: str, wards: list[Ward], areas: list[SmallArea],
                 postcodes: dict[str, str]) -> None:
        self.council = council
        self.wards = {w.code: w for w in wards}
        self.areas = {a.code: a for a in areas}
        self.postcodes = postcodes
        self._area_list = areas
        self._tree = STRtree([a.geometry for a in areas])

    @classmethod
    def load(cls, council: str | None = None) -> Geography:
        council = council or os.environ.get("CIVIC_COUNCIL", "camden")
        base = infra_file("reference", council)
        wards = [Ward(f["properties"]["ward_code"], f["properties"]["ward_name"],
                      shape(f["geometry"]))
                 for f in json.loads((base / "wards.geojson").read_text())["features"]]
        deprivation = {row["lsoa_code"]: row for row in
                       csv.DictReader((base / "lsoa_deprivation.csv").open(newline=""))}
        areas = []
        for f in json.loads((base / "lsoas.geojson").read_text())["features"]:
            props = f["properties"]
            row = deprivation[props["lsoa_code"]]
            areas.append(SmallArea(props["lsoa_code"], props["lsoa_name"], props["ward_code"],
                                   int(row["imd_rank"]), int(row["imd_decile"]),
                                   int(row["population_2015"]), shape(f["geometry"])))
        return cls(council, wards, areas, _load_postcodes(base / "postcodes.csv"))

    def area_at(self, lon: float, lat: float) -> SmallArea | None:
        point = Point(lon, lat)
        for index in self._tree.query(point):
            area = self._area_list[int(index)]
            if area.geometry.covers(point):
                return area
        return None

    def area_for_postcode(self, postcode: str) -> SmallArea | None:
        code = self.postcodes.get(postcode)
        return self.areas.get(code) if code else None


def _load_postcodes(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    with path.open(newline="") as fh:
        return {row["postcode"]: row["lsoa_code"] for row in csv.DictReader(fh)}


@cache
def geography(council: str | None = None) -> Geography:
    return Geography.load(council)
