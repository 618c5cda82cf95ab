"""Suppression under attack: a reader who knows every published figure and every sum
they obey tries to recover a withheld small count, by subtraction and by linear
programming over everything published."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from civic.contracts.common import AreaLevel
from civic.reference import geography
from need_scoring.areas.counts import ALL_CELLS, BAND_CELLS, CATEGORY_CELLS, TOTAL, AreaRef
from need_scoring.areas.suppression import CellId, sum_rules, suppress

K = 10
WARD, LSOA = AreaLevel.WARD, AreaLevel.LSOA


def build(lsoa_cells: Mapping[str, dict[str, int]], ward_of: Mapping[str, str]
          ) -> dict[AreaRef, dict[str, int]]:
    """Small-area counts, with totals and ward figures summed as the service does."""
    areas: dict[AreaRef, dict[str, int]] = {}
    for lsoa, cells in lsoa_cells.items():
        full = {cell: cells.get(cell, 0) for cell in ALL_CELLS}
        full[TOTAL] = sum(full[b] for b in BAND_CELLS)
        areas[(LSOA, lsoa)] = full
        ward = areas.setdefault((WARD, ward_of[lsoa]), dict.fromkeys(ALL_CELLS, 0))
        for cell, n in full.items():
            ward[cell] += n
    return areas


def recovered_by_linear_programming(areas: Mapping[AreaRef, dict[str, int]],
                                    ward_of: Mapping[str, str],
                                    published: Mapping[AreaRef, dict[str, int | None]],
                                    targets: set[CellId] | None = None) -> dict[CellId, int]:
    """Every withheld cell whose value the published figures pin down exactly: its
    minimum and maximum over all non-negative solutions of the sums agree."""
    unknown = [(lvl, code, cell) for (lvl, code), cells in published.items()
               for cell, n in cells.items() if n is None]
    if not unknown:
        return {}
    column = {cell: i for i, cell in enumerate(unknown)}
    rows, rhs = [], []
    for rule in sum_rules(areas, ward_of):
        row, constant = np.zeros(len(unknown)), 0.0
        for sign, (lvl, code, cell) in [(1, rule.parent)] + [(-1, c) for c in rule.children]:
            value = published[(lvl, code)][cell]
            if value is None:
                row[column[(lvl, code, cell)]] += sign
            else:
                constant -= sign * value
        if row.any():
            rows.append(row)
            rhs.append(constant)
    recovered = {}
    for cell, i in column.items():
        if targets is not None and cell not in targets:
            continue
        objective = np.zeros(len(unknown))
        objective[i] = 1
        system = {"A_eq": rows or None, "b_eq": rhs or None, "bounds": (0, None),
                  "method": "highs"}
        low, high = linprog(objective, **system), linprog(-objective, **system)
        if low.status == 0 and high.status == 0 and abs(low.fun + high.fun) < 1e-6:
            recovered[cell] = round(low.fun)
    return recovered


def leaks(areas: Mapping[AreaRef, dict[str, int]], ward_of: Mapping[str, str],
          published: Mapping[AreaRef, dict[str, int | None]]) -> dict[CellId, int]:
    recovered = recovered_by_linear_programming(areas, ward_of, published)
    return {cell: n for cell, n in recovered.items() if 0 < n < K}


def test_subtracting_the_visible_small_areas_from_the_ward_recovers_nothing() -> None:
    ward_of = {"E01000001": "E05000001", "E01000002": "E05000001", "E01000003": "E05000001"}
    areas = build({"E01000001": {"band:low": 12}, "E01000002": {"band:low": 10},
                   "E01000003": {"band:low": 3}}, ward_of)
    published = suppress(areas, ward_of, K)
    assert published[(WARD, "E05000001")][TOTAL] == 25
    assert published[(LSOA, "E01000003")][TOTAL] is None
    visible = [published[(LSOA, c)][TOTAL] for c in ward_of]
    # The naive attack: ward total minus the small areas that are shown.
    assert visible.count(None) >= 2, "one hidden small area would be ward minus the rest"
    assert leaks(areas, ward_of, published) == {}


def test_subtracting_the_visible_bands_from_the_total_recovers_nothing() -> None:
    ward_of = {"E01000001": "E05000001", "E01000002": "E05000001"}
    areas = build({"E01000001": {"band:low": 20, "band:urgent": 4},
                   "E01000002": {"band:low": 30, "band:high": 11}}, ward_of)
    published = suppress(areas, ward_of, K)
    first = published[(LSOA, "E01000001")]
    assert first["band:urgent"] is None
    # The subtraction alone does not settle it: medium and high are withheld zeros, so
    # total minus low is urgent + medium + high. The adversary below tries everything.
    assert leaks(areas, ward_of, published) == {}


def test_without_secondary_suppression_the_attack_would_succeed() -> None:
    """The attacker is real: given primary suppression only, it finds the count."""
    ward_of = {"E01000001": "E05000001", "E01000002": "E05000001"}
    areas = build({"E01000001": {"band:low": 12}, "E01000002": {"band:low": 3}}, ward_of)
    primary_only = {ref: {cell: (None if n < K else n) for cell, n in cells.items()}
                    for ref, cells in areas.items()}
    assert leaks(areas, ward_of, primary_only)[(LSOA, "E01000002", TOTAL)] == 3


cell_counts = st.dictionaries(
    st.sampled_from([*BAND_CELLS, *CATEGORY_CELLS[:3]]),
    st.one_of(st.integers(0, 4), st.integers(5, 30)), max_size=7)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell_counts, min_size=1, max_size=4), min_size=1, max_size=3))
def test_no_small_count_can_be_recovered_from_anything_published(
        wards: list[list[dict[str, int]]]) -> None:
    lsoa_cells, ward_of = {}, {}
    for w, small_areas in enumerate(wards):
        for a, cells in enumerate(small_areas):
            code = f"E0100{w}{a:03d}"
            ward_of[code] = f"E0500000{w}"
            lsoa_cells[code] = {c: min(n, sum(cells.get(b, 0) for b in BAND_CELLS))
                                if c.startswith("category:") else n for c, n in cells.items()}
    areas = build(lsoa_cells, ward_of)
    published = suppress(areas, ward_of, K)
    for ref, cells in published.items():
        for cell, n in cells.items():
            assert n is None or n == areas[ref][cell]
            assert n is None or n >= K
    assert leaks(areas, ward_of, published) == {}


def test_the_borough_is_protected_at_realistic_volumes() -> None:
    rng = np.random.default_rng(2026)
    camden = geography()
    ward_of = {code: area.ward_code for code, area in camden.areas.items()}
    lsoa_cells = {code: {cell: int(rng.poisson(rng.choice([1.5, 6, 14])))
                         for cell in (*BAND_CELLS, *CATEGORY_CELLS[:4])}
                  for code in camden.areas}
    for cells in lsoa_cells.values():
        total = sum(cells[b] for b in BAND_CELLS)
        for c in CATEGORY_CELLS[:4]:
            cells[c] = min(cells[c], total)
    areas = build(lsoa_cells, ward_of)
    published = suppress(areas, ward_of, K)
    publishable = [(ref, cell) for ref, cells in areas.items() for cell, n in cells.items()
                   if n >= K]
    kept = sum(published[ref][cell] is not None for ref, cell in publishable)
    assert kept > 0.75 * len(publishable), "secondary suppression hid too much"
    small = sorted((lvl, code, cell) for (lvl, code), cells in areas.items()
                   for cell, n in cells.items() if 0 < n < K)
    sample = {small[i] for i in rng.choice(len(small), size=30, replace=False)}
    recovered = recovered_by_linear_programming(areas, ward_of, published, targets=sample)
    assert recovered == {}


def test_the_28_day_figure_minus_the_7_day_figure_reveals_no_small_count() -> None:
    """Windows overlap: the 28 days hold the last 7, so their difference is the count of
    older open cases, which must be protected although it is never published."""
    ward_of = {"E01000001": "E05000001", "E01000002": "E05000001"}
    weeks = {"E01000001": ({"band:low": 10}, {"band:low": 12}),  # 2 older cases
             "E01000002": ({"band:low": 15}, {"band:low": 15})}
    week = build({code: w for code, (w, _m) in weeks.items()}, ward_of)
    month = build({code: m for code, (_w, m) in weeks.items()}, ward_of)
    combined = {ref: {**{f"7d|{c}": n for c, n in week[ref].items()},
                      **{f"28d|{c}": n for c, n in month[ref].items()},
                      **{f"older|{c}": month[ref][c] - n for c, n in week[ref].items()}}
                for ref in month}
    published = suppress(combined, ward_of, K, unpublished=frozenset({"older"}))
    for ref, cells in published.items():
        for cell in ALL_CELLS:
            recent, whole = cells[f"7d|{cell}"], cells[f"28d|{cell}"]
            assert cells[f"older|{cell}"] is None
            if recent is not None and whole is not None:
                assert not 0 < whole - recent < K, (ref, cell, whole, recent)
    # The naive release would have shown both 12 and 10 for the first small area.
    first = published[(LSOA, "E01000001")]
    assert first["7d|total"] is None or first["28d|total"] is None
