"""Suppression under attack: a reader who knows every published figure and every sum
they obey tries to recover a withheld small count, by subtraction and by linear
programming over everything published.

The attacker is written here from what is published and from the geography alone, not
from the module under test: it takes no rule, sum or helper from
``need_scoring.areas.suppression``, so a sum that the suppression forgets is still one
the attacker uses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.optimize import linprog

from civic.contracts.common import AreaLevel, Band, Category
from civic.reference import geography
from need_scoring.areas.counts import ALL_CELLS, BAND_CELLS, CATEGORY_CELLS, TOTAL, AreaRef
from need_scoring.areas.suppression import suppress

K = 10
WARD, LSOA = AreaLevel.WARD, AreaLevel.LSOA

# ---------------------------------------------------------------------------------------
# The attacker. What it knows, each fact from the published figures' own meaning (the
# service README, "Small numbers"; the AreaNeedChanged contract) and the geography:
#
# - an area's open cases, in one window, are the sum of its bands (a case has one band);
# - a ward's figure is the sum of its small areas' figures (the geography says which);
# - with both windows published, the last 7 days lie inside the last 28, so every 7-day
#   figure is at most its 28-day figure, and the difference (cases 8 to 28 days old) is
#   a count of its own that must not be given away either;
# - no count is negative, and every count is a whole number: a figure whose lowest and
#   highest possible values leave one whole number between them is known;
# - a category counts a case at most once, so no category figure exceeds its area's
#   open cases; and every case has at least one category (the CaseSubmitted contract),
#   so the open cases never exceed the sum of the categories. (With
#   categories_within_total=False it forgets both, as the service's audit once did.)
# ---------------------------------------------------------------------------------------
Figure = tuple[AreaLevel, str, str]  # level, area code, published name ("28d|band:low")
Linear = dict[Figure, int]  # a sum of figures, with coefficients
OPEN_CASES = "total"
BANDS = tuple(f"band:{band.value}" for band in Band)
CATEGORIES = tuple(f"category:{category.value}" for category in Category)
FIGURES = (OPEN_CASES, *BANDS, *CATEGORIES)
PUBLISHED_WINDOWS = ("7d", "28d")
OLDER = "28d-7d"  # the attacker's name for a 28-day figure minus its 7-day figure


def _name(window: str, figure: str) -> str:
    return f"{window}|{figure}" if window else figure


def _windows(published: Mapping[AreaRef, Mapping[str, int | None]]) -> tuple[str, ...]:
    """The windows a reader sees: 7d and 28d when figures carry a window, else one
    unnamed window. Anything else (the service's 'older' cells) is never published."""
    seen = {name.rpartition("|")[0] for cells in published.values() for name in cells}
    return tuple(w for w in PUBLISHED_WINDOWS if w in seen) or ("",)


def reader_relations(published: Mapping[AreaRef, Mapping[str, int | None]],
                     ward_of: Mapping[str, str], *, categories_within_total: bool = True
                     ) -> tuple[list[Linear], list[Linear]]:
    """(equalities, inequalities): each Linear is == 0, respectively <= 0."""
    windows = _windows(published)
    equal: list[Linear] = []
    at_most: list[Linear] = []
    for level, code in published:
        for w in windows:
            open_cases = (level, code, _name(w, OPEN_CASES))
            equal.append({open_cases: 1, **{(level, code, _name(w, b)): -1 for b in BANDS}})
            if categories_within_total:
                at_most.extend({(level, code, _name(w, c)): 1, open_cases: -1}
                               for c in CATEGORIES)
                at_most.append({open_cases: 1,
                                **{(level, code, _name(w, c)): -1 for c in CATEGORIES}})
        if windows == PUBLISHED_WINDOWS:
            for figure in FIGURES:
                at_most.append({(level, code, _name("7d", figure)): 1,
                                (level, code, _name("28d", figure)): -1})
            if categories_within_total:
                for c in CATEGORIES:  # among the older cases too
                    at_most.append({(level, code, _name("28d", c)): 1,
                                    (level, code, _name("7d", c)): -1,
                                    (level, code, _name("28d", OPEN_CASES)): -1,
                                    (level, code, _name("7d", OPEN_CASES)): 1})
                older_categories: Linear = {(level, code, _name("28d", OPEN_CASES)): 1,
                                            (level, code, _name("7d", OPEN_CASES)): -1}
                for c in CATEGORIES:
                    older_categories[(level, code, _name("28d", c))] = -1
                    older_categories[(level, code, _name("7d", c))] = 1
                at_most.append(older_categories)
    small_areas: dict[str, list[str]] = {}
    for lsoa, ward in sorted(ward_of.items()):
        small_areas.setdefault(ward, []).append(lsoa)
    for ward, lsoas in small_areas.items():
        if (WARD, ward) not in published:
            continue
        for w in windows:
            for figure in FIGURES:
                name = _name(w, figure)
                equal.append({(WARD, ward, name): 1,
                              **{(LSOA, lsoa, name): -1 for lsoa in lsoas}})
    return equal, at_most


class Attacker:
    """Bounds any sum of figures over every non-negative solution of the relations."""

    def __init__(self, published: Mapping[AreaRef, Mapping[str, int | None]],
                 ward_of: Mapping[str, str], *, categories_within_total: bool = True
                 ) -> None:
        self.published = published
        self.windows = _windows(published)
        equal, at_most = reader_relations(published, ward_of,
                                          categories_within_total=categories_within_total)
        relations = [r for r in equal + at_most if all(self._shown(f) for f in r)]
        self.unknown = {f: i for i, f in enumerate(sorted(
            {f for relation in relations for f in relation if self.value(f) is None}))}
        self.equalities = self._matrix([r for r in equal if r in relations])
        self.inequalities = self._matrix([r for r in at_most if r in relations])

    def _shown(self, figure: Figure) -> bool:
        level, code, name = figure
        return name in self.published.get((level, code), {})

    def value(self, figure: Figure) -> int | None:
        level, code, name = figure
        return self.published[(level, code)][name]

    def _split(self, linear: Linear) -> tuple[dict[int, float], float]:
        """The unknown part of a sum and its known constant."""
        coefficients: dict[int, float] = {}
        constant = 0.0
        for figure, coefficient in linear.items():
            value = self.value(figure)
            if value is None:
                i = self.unknown[figure]
                coefficients[i] = coefficients.get(i, 0.0) + coefficient
            else:
                constant += coefficient * value
        return {i: c for i, c in coefficients.items() if c}, constant

    def _matrix(self, relations: list[Linear]
                ) -> tuple[sparse.csr_matrix | None, np.ndarray | None]:
        data: list[float] = []
        rows: list[int] = []
        columns: list[int] = []
        rhs: list[float] = []
        for relation in relations:
            coefficients, constant = self._split(relation)
            if not coefficients:
                continue
            for i, c in coefficients.items():
                data.append(c)
                rows.append(len(rhs))
                columns.append(i)
            rhs.append(-constant)
        if not rhs:
            return None, None
        shape = (len(rhs), len(self.unknown))
        return sparse.csr_matrix((data, (rows, columns)), shape=shape), np.array(rhs)

    def bounds(self, linear: Linear) -> tuple[float, float]:
        """The lowest and highest value the sum can take (infinite when unbounded)."""
        coefficients, constant = self._split(linear)
        if not coefficients:
            return constant, constant
        (a_eq, b_eq), (a_ub, b_ub) = self.equalities, self.inequalities
        low_high = []
        for sign in (1.0, -1.0):  # minimise the sum, then its negative
            objective = np.zeros(len(self.unknown))
            for i, c in coefficients.items():
                objective[i] = sign * c
            result = linprog(objective, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub,
                             bounds=(0, None), method="highs")
            # Infeasible would mean the attacker believes something false.
            assert result.status in (0, 3), result.message
            low_high.append(sign * result.fun + constant if result.status == 0
                            else -sign * math.inf)
        return low_high[0], low_high[1]

    def targets(self) -> dict[Figure, Linear]:
        """Every withheld figure, and every 28-day minus 7-day difference."""
        found: dict[Figure, Linear] = {f: {f: 1} for f in self.unknown}
        if self.windows == PUBLISHED_WINDOWS:
            for level, code in self.published:
                for figure in FIGURES:
                    found[(level, code, _name(OLDER, figure))] = {
                        (level, code, _name("28d", figure)): 1,
                        (level, code, _name("7d", figure)): -1}
        return found

    def pinned(self, only: Iterable[Figure] | None = None) -> dict[Figure, int]:
        """Every target whose value the published figures leave no doubt about."""
        targets = self.targets()
        chosen = targets if only is None else {f: targets[f] for f in only if f in targets}
        recovered = {}
        for figure, linear in chosen.items():
            if all(self.value(f) is not None for f in linear) and len(linear) == 1:
                continue  # a published figure is no secret
            low, high = self.bounds(linear)
            if (math.isfinite(low) and math.isfinite(high)
                    and math.ceil(low - 1e-6) == math.floor(high + 1e-6)):
                recovered[figure] = math.ceil(low - 1e-6)
        return recovered


def true_value(areas: Mapping[AreaRef, Mapping[str, int]], figure: Figure) -> int:
    level, code, name = figure
    window, _, base = name.rpartition("|")
    if window == OLDER:
        return areas[(level, code)][f"28d|{base}"] - areas[(level, code)][f"7d|{base}"]
    return areas[(level, code)][name]


def recovered_by_linear_programming(areas: Mapping[AreaRef, dict[str, int]],
                                    ward_of: Mapping[str, str],
                                    published: Mapping[AreaRef, dict[str, int | None]],
                                    targets: set[Figure] | None = None, *,
                                    categories_within_total: bool = True
                                    ) -> dict[Figure, int]:
    """Every withheld count the published figures pin down exactly. The true counts are
    used only to check the attacker: whatever it pins must be right."""
    attacker = Attacker(published, ward_of, categories_within_total=categories_within_total)
    recovered = attacker.pinned(targets)
    for figure, n in recovered.items():
        assert n == true_value(areas, figure), f"the attacker is wrong about {figure}"
    return recovered


def leaks(areas: Mapping[AreaRef, dict[str, int]], ward_of: Mapping[str, str],
          published: Mapping[AreaRef, dict[str, int | None]], *,
          categories_within_total: bool = True) -> dict[Figure, int]:
    recovered = recovered_by_linear_programming(
        areas, ward_of, published, categories_within_total=categories_within_total)
    return {figure: n for figure, n in recovered.items() if 0 < n < K}


def build(lsoa_cells: Mapping[str, dict[str, int]], ward_of: Mapping[str, str]
          ) -> dict[AreaRef, dict[str, int]]:
    """Small-area counts, with totals and ward figures summed as the service does. Every
    case has a category: cases a test leaves without one count under 'other'."""
    areas: dict[AreaRef, dict[str, int]] = {}
    for lsoa, cells in lsoa_cells.items():
        full = {cell: cells.get(cell, 0) for cell in ALL_CELLS}
        full[TOTAL] = sum(full[b] for b in BAND_CELLS)
        assert all(full[c] <= full[TOTAL] for c in CATEGORY_CELLS), "a case counts once"
        full["category:other"] += max(0, full[TOTAL] - sum(full[c] for c in CATEGORY_CELLS))
        areas[(LSOA, lsoa)] = full
        ward = areas.setdefault((WARD, ward_of[lsoa]), dict.fromkeys(ALL_CELLS, 0))
        for cell, n in full.items():
            ward[cell] += n
    return areas


def both_windows(week: Mapping[AreaRef, dict[str, int]],
                 before: Mapping[AreaRef, dict[str, int]]) -> dict[AreaRef, dict[str, int]]:
    """The service's input shape: 7d, 28d and the unpublished 21 days before."""
    return {ref: {**{f"7d|{c}": n for c, n in week[ref].items()},
                  **{f"28d|{c}": n + before[ref][c] for c, n in week[ref].items()},
                  **{f"older|{c}": before[ref][c] for c in week[ref]}}
            for ref in week}


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


def test_the_attacker_works_the_21_days_out_of_the_two_windows() -> None:
    """The attacker is real across windows too: with each window suppressed alone, the
    28-day figure minus the 7-day one gives the older cases away."""
    ward_of = {"E01000001": "E05000001"}
    week = build({"E01000001": {"band:low": 10}}, ward_of)
    before = build({"E01000001": {"band:low": 2}}, ward_of)
    each_alone = {ref: {cell: (None if cell.startswith("older|") or n < K else n)
                        for cell, n in cells.items()}
                  for ref, cells in both_windows(week, before).items()}
    found = leaks(both_windows(week, before), ward_of, each_alone)
    assert found[(LSOA, "E01000001", f"{OLDER}|{TOTAL}")] == 2


cell_counts = st.dictionaries(
    st.sampled_from([*BAND_CELLS, *CATEGORY_CELLS[:3]]),
    st.one_of(st.integers(0, 4), st.integers(5, 30)), max_size=7)


def _small_areas(wards: list[list[dict[str, int]]]
                 ) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    lsoa_cells, ward_of = {}, {}
    for w, small_areas in enumerate(wards):
        for a, cells in enumerate(small_areas):
            code = f"E0100{w}{a:03d}"
            ward_of[code] = f"E0500000{w}"
            lsoa_cells[code] = {c: min(n, sum(cells.get(b, 0) for b in BAND_CELLS))
                                if c.startswith("category:") else n for c, n in cells.items()}
    return lsoa_cells, ward_of


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell_counts, min_size=1, max_size=4), min_size=1, max_size=3))
def test_no_small_count_can_be_recovered_from_anything_published(
        wards: list[list[dict[str, int]]]) -> None:
    """Seen to fail when sum_rules left out the ward sums (each ward the sum of its
    small areas), and when _protect published after greedy secondary suppression
    without its audit."""
    lsoa_cells, ward_of = _small_areas(wards)
    areas = build(lsoa_cells, ward_of)
    published = suppress(areas, ward_of, K)
    for ref, cells in published.items():
        for cell, n in cells.items():
            assert n is None or n == areas[ref][cell]
            assert n is None or n >= K
    assert leaks(areas, ward_of, published) == {}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.tuples(cell_counts, cell_counts), min_size=1, max_size=3),
                min_size=1, max_size=2))
def test_no_small_count_can_be_recovered_from_both_windows(
        wards: list[list[tuple[dict[str, int], dict[str, int]]]]) -> None:
    """As the service publishes: 7 and 28 days, suppressed together, with the 21 days
    before the last 7 never published but no less protected. Seen to fail when
    sum_rules left out that 28 days are the last 7 plus the 21 before, and with either
    mutation named in the test above."""
    recent, ward_of = _small_areas([[w for w, _b in areas] for areas in wards])
    older, _ = _small_areas([[b for _w, b in areas] for areas in wards])
    areas = both_windows(build(recent, ward_of), build(older, ward_of))
    published = suppress(areas, ward_of, K, unpublished=frozenset({"older"}))
    for ref, cells in published.items():
        for cell, n in cells.items():
            assert n is None or (n == areas[ref][cell] and n >= K)
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
    assert leaks(combined, ward_of, published) == {}


def test_a_category_never_exceeds_its_area_s_open_cases_and_gives_nothing_away() -> None:
    """Seen to fail (the attacker recovers the 3) when bounds() in suppression.py gave
    the audit no bounds: an empty small area's withheld total is worked out as 0 from its
    ward, so its categories are 0 too, and the ward's food figure minus the shown small
    area gives the other one's 3."""
    ward_of = {"E01000001": "E05000001", "E01000002": "E05000001", "E01000003": "E05000001"}
    areas = build({"E01000001": {}, "E01000002": {"band:low": 12, "category:food": 12},
                   "E01000003": {"band:low": 20, "category:food": 3}}, ward_of)
    published = suppress(areas, ward_of, K)
    assert published[(LSOA, "E01000003")]["category:food"] is None
    assert leaks(areas, ward_of, published, categories_within_total=False) == {}
    assert leaks(areas, ward_of, published) == {}


def test_the_attacker_uses_what_a_case_is() -> None:
    """The attacker is real with the bounds: the audit without them published every
    figure of the case above but the small ones. The sums alone recover nothing from
    that; with the bounds the attacker finds the 3."""
    ward_of = {"E01000001": "E05000001", "E01000002": "E05000001", "E01000003": "E05000001"}
    areas = build({"E01000001": {}, "E01000002": {"band:low": 12, "category:food": 12},
                   "E01000003": {"band:low": 20, "category:food": 3}}, ward_of)
    primary_only = {ref: {cell: (None if n < K else n) for cell, n in cells.items()}
                    for ref, cells in areas.items()}
    assert leaks(areas, ward_of, primary_only, categories_within_total=False) == {}
    found = leaks(areas, ward_of, primary_only)
    assert found == {(LSOA, "E01000003", "category:food"): 3}
