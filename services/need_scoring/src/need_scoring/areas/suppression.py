"""Small-number suppression that totals cannot undo.

Primary: every count below k is withheld. Secondary: the published figures obey exact
sums (an area's total is the sum of its bands; a ward's figure is the sum of its small
areas' figures), so withholding one cell of a sum is useless: the reader subtracts.
Each sum with a withheld cell gets a second one withheld (its smallest other part).

Greedy secondary suppression is not proof, so an audit follows: the withheld cells
are the unknowns of the linear system the published sums give; a withheld cell is
exposed exactly when its unit vector lies in that system's row space, i.e. when every
null-space vector is zero there, once the cells that non-negativity forces to zero
(found by one linear programme) are counted as known. A known zero identifies nobody,
so only small non-zero counts matter. While any small count is exposed, the parent of
a sum it is in is withheld as well, and the audit runs again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from civic.contracts.common import AreaLevel
from need_scoring.areas.counts import BAND_CELLS, CATEGORY_CELLS, TOTAL, AreaRef, Counts

CellId = tuple[AreaLevel, str, str]  # level, area code, cell


@dataclass(frozen=True)
class SumRule:
    """parent == sum(children), a relation every reader can apply."""

    parent: CellId
    children: tuple[CellId, ...]

    @property
    def cells(self) -> tuple[CellId, ...]:
        return (self.parent, *self.children)


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
    # Sums that share no cell cannot be combined, so each group is audited alone
    # (one ward with its small areas, per cell), which keeps the programmes tiny.
    for rules in _independent_groups(sum_rules(areas, ward_of)):
        _protect(rules, values, primary, withheld)
    return {ref: {cell: (None if (ref[0], ref[1], cell) in withheld else n)
                  for cell, n in cells.items()} for ref, cells in areas.items()}


def _protect(rules: list[SumRule], values: Mapping[CellId, int], primary: set[CellId],
             withheld: set[CellId]) -> None:
    cells = {c for rule in rules for c in rule.cells}
    while True:
        _secondary(rules, values, primary, withheld)
        # A withheld zero that readers can work out harms nobody; a small count does.
        exposed = {c for c in exposed_cells(rules, values, withheld & cells)
                   if c in primary and values[c] > 0}
        if not exposed:
            return
        before = len(withheld)
        for rule in rules:
            if exposed & set(rule.children):
                withheld.add(rule.parent)
        if len(withheld) == before:
            for rule in rules:
                if exposed & set(rule.cells):
                    withheld.update(rule.cells)
        if len(withheld) == before:  # cannot happen, but never publish a leak
            withheld.update(cells)
            return


def _independent_groups(rules: list[SumRule]) -> list[list[SumRule]]:
    leader: dict[CellId, CellId] = {}

    def find(cell: CellId) -> CellId:
        while leader.setdefault(cell, cell) != cell:
            leader[cell] = leader[leader[cell]]
            cell = leader[cell]
        return cell

    for rule in rules:
        for cell in rule.children:
            leader[find(cell)] = find(rule.parent)
    groups: dict[CellId, list[SumRule]] = {}
    for rule in rules:
        groups.setdefault(find(rule.parent), []).append(rule)
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


def exposed_cells(rules: list[SumRule], values: Mapping[CellId, int],
                  withheld: set[CellId]) -> set[CellId]:
    """Withheld cells whose value follows from what is published (and from counts
    never being negative)."""
    unknown = sorted(withheld)
    if not unknown:
        return set()
    column = {cell: i for i, cell in enumerate(unknown)}
    rows, rhs = [], []
    for rule in rules:
        row, constant = np.zeros(len(unknown)), 0.0
        for sign, cell in [(1.0, rule.parent)] + [(-1.0, c) for c in rule.children]:
            if cell in column:
                row[column[cell]] += sign
            else:
                constant -= sign * values[cell]
        if row.any():
            rows.append(row)
            rhs.append(constant)
    if not rows:
        return set()
    matrix, target = np.array(rows), np.array(rhs)
    zeros = _always_zero(matrix, target)
    exposed = {unknown[i] for i in zeros}
    free = [i for i in range(len(unknown)) if i not in zeros]
    if not free:
        return exposed
    # Within the rest, a cell is pinned iff it is pinned on the affine hull, i.e. its
    # unit vector is in the row space: the null space is zero in its column.
    reduced = matrix[:, free]
    _, singular, vt = np.linalg.svd(reduced)
    rank = int((singular > 1e-9).sum())
    null_space = vt[rank:]
    for j, i in enumerate(free):
        if null_space.shape[0] == 0 or np.all(np.abs(null_space[:, j]) < 1e-9):
            exposed.add(unknown[i])
    return exposed


def _always_zero(matrix: np.ndarray, target: np.ndarray) -> set[int]:
    """Cells that are zero in every non-negative solution of matrix @ x == target.

    One linear programme finds them all: maximise sum(y) subject to
    matrix @ x == target * t, x >= y, 0 <= y <= 1, t >= 1. A cell that can be positive
    in some solution can be at least 1 in a scaled mix of solutions, so y reaches 1
    there; the cells left at y == 0 can never be positive.
    """
    rows, n = matrix.shape
    equality = sparse.hstack([sparse.csr_matrix(matrix), sparse.csr_matrix((rows, n)),
                              sparse.csr_matrix(-target.reshape(-1, 1))])
    inequality = sparse.hstack([-sparse.identity(n), sparse.identity(n),
                                sparse.csr_matrix((n, 1))])
    result = linprog(
        np.concatenate([np.zeros(n), -np.ones(n), [0.0]]),
        A_ub=inequality, b_ub=np.zeros(n), A_eq=equality, b_eq=np.zeros(rows),
        bounds=[(0, None)] * n + [(0, 1)] * n + [(1, None)], method="highs")
    if result.status != 0:
        raise RuntimeError(f"suppression audit could not solve its programme: {result.message}")
    return {i for i in range(n) if result.x[n + i] < 0.5}
