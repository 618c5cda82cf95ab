"""Small-number suppression that totals cannot undo.

Primary: every count below k is withheld. Secondary: the published figures obey exact
sums (an area's total is the sum of its bands; a ward's figure is the sum of its small
areas' figures), so withholding one cell of a sum is useless: the reader subtracts.
Each sum with a withheld cell gets a second one withheld (its smallest other part).

Greedy secondary suppression is not proof, so an audit follows (``audit.py``): it works
out every withheld cell that the sums, non-negativity and what a case is (a category
never exceeds its area's open cases; every case has a category) pin down. A known zero
identifies nobody, so only small non-zero counts matter. While any small count is
exposed, the parent of a sum it is in is withheld as well, and the audit runs again.
"""

from __future__ import annotations

from collections.abc import Mapping

from civic.contracts.common import AreaLevel
from need_scoring.areas.audit import Bound, CellId, SumRule, exposed_cells
from need_scoring.areas.counts import BAND_CELLS, CATEGORY_CELLS, TOTAL, AreaRef, Counts


def _split(cell: str) -> tuple[str, str]:
    """'7d|band:low' -> ('7d', 'band:low'); a cell without a window has prefix ''."""
    window, _, base = cell.rpartition("|")
    return window, base


def _cell(window: str, base: str) -> str:
    return f"{window}|{base}" if window else base


def sum_rules(areas: Mapping[AreaRef, Counts], ward_of: Mapping[str, str]) -> list[SumRule]:
    """Every exact sum a reader can rely on, per window: an area's total is the sum of
    its bands; a ward is the sum of its small areas; and, with windows 7d, older and
    28d, the 28 days are the last 7 plus the 21 before (so 28d minus 7d is no secret)."""
    sample = next(iter(areas.values()), {})
    windows = sorted({_split(cell)[0] for cell in sample})
    bases = sorted({_split(cell)[1] for cell in sample})
    rules = [SumRule((level, code, _cell(w, TOTAL)),
                     tuple((level, code, _cell(w, b)) for b in BAND_CELLS))
             for level, code in areas for w in windows]
    small_areas_of: dict[str, list[str]] = {}
    for lsoa, ward in ward_of.items():
        if (AreaLevel.LSOA, lsoa) in areas:
            small_areas_of.setdefault(ward, []).append(lsoa)
    for ward, lsoas in sorted(small_areas_of.items()):
        if (AreaLevel.WARD, ward) not in areas:
            continue
        for w in windows:
            for base in (TOTAL, *BAND_CELLS, *CATEGORY_CELLS):
                cell = _cell(w, base)
                rules.append(SumRule((AreaLevel.WARD, ward, cell),
                                     tuple((AreaLevel.LSOA, lsoa, cell)
                                           for lsoa in sorted(lsoas))))
    if {"7d", "older", "28d"} <= set(windows):
        for level, code in areas:
            for base in bases:
                rules.append(SumRule((level, code, _cell("28d", base)),
                                     ((level, code, _cell("7d", base)),
                                      (level, code, _cell("older", base)))))
    return rules


def bounds(areas: Mapping[AreaRef, Counts]) -> list[Bound]:
    """What a reader knows from what a case is, per area and window: a category counts a
    case at most once, so it is at most the open cases; every case has a category, so
    the open cases are at most the sum of the categories."""
    result: list[Bound] = []
    for (level, code), cells in areas.items():
        for window in sorted({_split(cell)[0] for cell in cells}):
            total = (level, code, _cell(window, TOTAL))
            categories = tuple((level, code, _cell(window, c)) for c in CATEGORY_CELLS
                               if _cell(window, c) in cells)
            result.extend(Bound((c,), (total,)) for c in categories)
            if len(categories) == len(CATEGORY_CELLS):  # only over every category
                result.append(Bound((total,), categories))
    return result


def suppress(areas: Mapping[AreaRef, Counts], ward_of: Mapping[str, str], k: int,
             unpublished: frozenset[str] = frozenset()
             ) -> dict[AreaRef, dict[str, int | None]]:
    """Withhold every count below k and whatever would reveal one. Cells of the windows
    in `unpublished` are never shown, but readers can still work at them, so they are
    protected like the rest."""
    values = {(level, code, cell): n for (level, code), cells in areas.items()
              for cell, n in cells.items()}
    primary = {cell for cell, n in values.items() if n < k}
    withheld = primary | {cell for cell in values if _split(cell[2])[0] in unpublished}
    # Relations that share no cell cannot be combined, so each group is audited alone
    # (one ward with its small areas), which keeps the programmes small.
    for rules, limits in _independent_groups(sum_rules(areas, ward_of), bounds(areas)):
        _protect(rules, limits, values, primary, withheld)
    return {ref: {cell: (None if (ref[0], ref[1], cell) in withheld else n)
                  for cell, n in cells.items()} for ref, cells in areas.items()}


def _protect(rules: list[SumRule], limits: list[Bound], values: Mapping[CellId, int],
             primary: set[CellId], withheld: set[CellId]) -> None:
    cells = {c for rule in rules for c in rule.cells} | {c for b in limits for c in b.cells}
    if not any(c in primary and values[c] > 0 for c in cells):
        return  # nothing small to protect here: zeros identify nobody
    while True:
        _secondary(rules, values, primary, withheld)
        # A withheld zero that readers can work out harms nobody; a small count does.
        exposed = {c for c in exposed_cells(rules, values, withheld & cells, limits)
                   if c in primary and values[c] > 0}
        if not exposed:
            return
        before = len(withheld)
        for rule in rules:
            if exposed & set(rule.children):
                withheld.add(rule.parent)
        if len(withheld) == before:
            for relation_cells in [r.cells for r in rules] + [b.cells for b in limits]:
                if exposed & set(relation_cells):
                    withheld.update(relation_cells)
        if len(withheld) == before:  # cannot happen, but never publish a leak
            withheld.update(cells)
            return


def _independent_groups(rules: list[SumRule], limits: list[Bound]
                        ) -> list[tuple[list[SumRule], list[Bound]]]:
    leader: dict[CellId, CellId] = {}

    def find(cell: CellId) -> CellId:
        while leader.setdefault(cell, cell) != cell:
            leader[cell] = leader[leader[cell]]
            cell = leader[cell]
        return cell

    for relation_cells in [r.cells for r in rules] + [b.cells for b in limits]:
        first, *rest = relation_cells
        for cell in rest:
            leader[find(cell)] = find(first)
    groups: dict[CellId, tuple[list[SumRule], list[Bound]]] = {}
    for rule in rules:
        groups.setdefault(find(rule.parent), ([], []))[0].append(rule)
    for limit in limits:
        groups.setdefault(find(limit.cells[0]), ([], []))[1].append(limit)
    return list(groups.values())


def _secondary(rules: list[SumRule], values: Mapping[CellId, int], primary: set[CellId],
               withheld: set[CellId]) -> None:
    changed = True
    while changed:
        changed = False
        for rule in rules:
            hidden = [c for c in rule.cells if c in withheld]
            # A sum with one hidden cell gives it away; that matters only for a small
            # count: a zero identifies nobody, and a cell withheld to protect another
            # is at least k.
            if len(hidden) != 1 or hidden[0] not in primary or values[hidden[0]] == 0:
                continue
            shown_children = [c for c in rule.children if c not in withheld]
            # The smallest part costs readers the least; the parent is the last resort.
            choice = (min(shown_children, key=lambda c: (values[c], c)) if shown_children
                      else rule.parent)
            withheld.add(choice)
            changed = True
