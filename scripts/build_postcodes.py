"""Build a council's postcodes.csv (postcode -> small area) from OS Code-Point Open.

    uv run python scripts/build_postcodes.py                     # Camden, from the copy
    uv run python scripts/build_postcodes.py --council NAME --codepoint FILE.csv

Each postcode's point (OSGB36 easting and northing) is converted to WGS84 and placed in
the council's small areas (``lsoas.geojson``) by point-in-polygon. A delivery office
carries the PO boxes and large users of a whole district on its one point: postcodes of
many sectors, 20 or more of them. Those are left out, because their point says nothing
about where a resident lives; a case with such a postcode is flagged for staff to place
by hand. Many postcodes of one sector on one point are one large block of homes, and are
kept (WC1H 9: 26 postcodes on one building in Bloomsbury). The output is sorted, so a
re-run on the same input gives the same file byte for byte.

A council with the ONS Postcode Directory, which assigns LSOAs itself, can instead write
its columns straight into the same shape (pcds -> postcode, lsoa11 -> lsoa_code,
osward -> ward_code).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

from pyproj import Transformer

from civic.paths import infra_file
from civic.reference import Geography, normalise_postcode

SHARED_POINT_LIMIT = 20  # this many postcodes of several sectors on one point: an office
COLUMNS = ["postcode", "lsoa_code", "ward_code", "easting", "northing"]


def build(codepoint: Path, geography: Geography) -> tuple[list[dict[str, str]], Counter[str]]:
    """The placed rows, sorted by postcode, and counts of what was left out and why."""
    with codepoint.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    points = Counter((r["Eastings"], r["Northings"]) for r in rows)
    sectors: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        code = normalise_postcode(r["Postcode"]) or ""
        sectors.setdefault((r["Eastings"], r["Northings"]), set()).add(code[:-2])
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    placed: list[dict[str, str]] = []
    counts: Counter[str] = Counter(read=len(rows))
    for row in rows:
        postcode = normalise_postcode(row["Postcode"])
        easting, northing = row["Eastings"], row["Northings"]
        if postcode is None:
            counts["not a postcode"] += 1
            continue
        point = (easting, northing)
        if points[point] >= SHARED_POINT_LIMIT and len(sectors[point]) > 1:
            counts["on a delivery office's shared point"] += 1
            continue
        lon, lat = to_wgs84.transform(float(easting), float(northing))
        area = geography.area_at(lon, lat)
        if area is None:
            counts["outside every small area"] += 1
            continue
        ward = row["Admin_ward_code"] or area.ward_code
        counts["placed"] += 1
        counts["ward agrees with the small area's"] += ward == area.ward_code
        placed.append({"postcode": postcode, "lsoa_code": area.code, "ward_code": ward,
                       "easting": easting, "northing": northing})
    placed.sort(key=lambda r: r["postcode"])
    return placed, counts


def write(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--council", default="camden")
    parser.add_argument("--codepoint", type=Path,
                        help="Code-Point Open rows for the council (default: the copy in "
                        "infra/reference/<council>/sources/)")
    parser.add_argument("--out", type=Path, help="default: infra/reference/<council>/"
                        "postcodes.csv")
    args = parser.parse_args(argv)
    base = infra_file("reference", args.council)
    codepoint = args.codepoint or base / "sources" / f"codepoint_open_2014_{args.council}.csv"
    rows, counts = build(codepoint, Geography.load(args.council))
    write(rows, args.out or base / "postcodes.csv")
    print(", ".join(f"{what}: {n}" for what, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
