"""The suppression audit: which withheld cells a reader can work out.

A reader knows every published figure and every relation the figures obey: the exact
sums (``SumRule``), that no count is negative, and the bounds that follow from what a
case is (``Bound``): a category counts a case at most once, so it never exceeds its
area's open cases, and every case has at least one category, so the open cases never
exceed the sum of the categories.

The withheld cells are the unknowns of that system. The relations that hold with
equality in every solution (the sums, plus whichever bounds and non-negativity are
forced tight, found by one linear programme) describe the smallest affine space holding
all solutions. A withheld cell is exposed exactly when that space fixes it: when its
unit vector lies in the row space of those equalities, i.e. every null-space vector is
zero there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from civic.contracts.common import AreaLevel

CellId = tuple[AreaLevel, str, str]  # level, area code, cell


@dataclass(frozen=True)
class SumRule:
    """parent == sum(children), a relation every reader can apply."""

    parent: CellId
    children: tuple[CellId, ...]

    @property
    def cells(self) -> tuple[CellId, ...]:
        return (self.parent, *self.children)


@dataclass(frozen=True)
class Bound:
    """sum(lesser) <= sum(greater), which every reader knows from what a case is."""

    lesser: tuple[CellId, ...]
    greater: tuple[CellId, ...]

    @property
    def cells(self) -> tuple[CellId, ...]:
        return (*self.lesser, *self.greater)


def exposed_cells(rules: list[SumRule], values: Mapping[CellId, int],
                  withheld: set[CellId], bounds: Iterable[Bound] = ()) -> set[CellId]:
    """Withheld cells whose value follows from what is published, from counts never
    being negative and from the bounds."""
    unknown = sorted(withheld)
    if not unknown:
        return set()
    column = {cell: i for i, cell in enumerate(unknown)}

    def row_of(terms: Iterable[tuple[float, CellId]]) -> tuple[np.ndarray, float]:
        """Coefficients on the unknowns, and the known part moved to the right."""
        row, constant = np.zeros(len(unknown)), 0.0
        for sign, cell in terms:
            if cell in column:
                row[column[cell]] += sign
            else:
                constant -= sign * values[cell]
        return row, constant

    equal = [row_of([(1.0, r.parent)] + [(-1.0, c) for c in r.children]) for r in rules]
    at_most = [row_of([(1.0, c) for c in b.lesser] + [(-1.0, c) for c in b.greater])
               for b in bounds]
    equal = [(row, rhs) for row, rhs in equal if row.any()]
    at_most = [(row, rhs) for row, rhs in at_most if row.any()]
    if not equal and not at_most:
        return set()
    n = len(unknown)
    matrix = np.array([row for row, _ in equal]).reshape(len(equal), n)
    target = np.array([rhs for _, rhs in equal])
    upper = np.array([row for row, _ in at_most]).reshape(len(at_most), n)
    limit = np.array([rhs for _, rhs in at_most])
    zeros, tight = _implicit_equalities(matrix, target, upper, limit)
    exposed = {unknown[i] for i in zeros}
    free = [i for i in range(n) if i not in zeros]
    if not free:
        return exposed
    # Within the rest, a cell is pinned iff it is pinned on the affine hull, i.e. its
    # unit vector is in the row space: its projection onto an orthonormal basis of the
    # row space (the leading right singular vectors) has length 1.
    reduced = np.vstack([matrix[:, free], upper[tight][:, free]])
    if reduced.shape[0] == 0:
        return exposed
    _, singular, vt = np.linalg.svd(reduced, full_matrices=False)
    basis = vt[:int((singular > 1e-9).sum())]
    in_row_space = np.abs(1.0 - (basis ** 2).sum(axis=0)) < 1e-7
    exposed.update(unknown[i] for j, i in enumerate(free) if in_row_space[j])
    return exposed


def _implicit_equalities(matrix: np.ndarray, target: np.ndarray, upper: np.ndarray,
                         limit: np.ndarray) -> tuple[set[int], list[int]]:
    """Of the non-negative solutions of matrix @ x == target, upper @ x <= limit: the
    cells that are zero in every one, and the bounds that are tight in every one.

    One linear programme finds both: maximise sum(y) + sum(z) subject to
    matrix @ x == target * t, x >= y, upper @ x + z <= limit * t, 0 <= y, z <= 1,
    t >= 1. A cell that can be positive (a bound that can be slack) in some solution can
    be at least 1 in a scaled mix of solutions, so its y (z) reaches 1; those left at 0
    never can.
    """
    rows, n = matrix.shape
    m = upper.shape[0]
    ub = sparse.vstack([
        sparse.hstack([-sparse.identity(n), sparse.identity(n), sparse.csr_matrix((n, m)),
                       sparse.csr_matrix((n, 1))]),
        sparse.hstack([sparse.csr_matrix(upper), sparse.csr_matrix((m, n)),
                       sparse.identity(m), sparse.csr_matrix(-limit.reshape(-1, 1))]),
    ])
    equality = None if rows == 0 else sparse.hstack([
        sparse.csr_matrix(matrix), sparse.csr_matrix((rows, n + m)),
        sparse.csr_matrix(-target.reshape(-1, 1))])
    result = linprog(
        np.concatenate([np.zeros(n), -np.ones(n + m), [0.0]]),
        A_ub=ub, b_ub=np.zeros(n + m), A_eq=equality,
        b_eq=None if equality is None else np.zeros(rows),
        bounds=[(0, None)] * n + [(0, 1)] * (n + m) + [(1, None)], method="highs")
    if result.status != 0:
        raise RuntimeError(f"suppression audit could not solve its programme: {result.message}")
    return ({i for i in range(n) if result.x[n + i] < 0.5},
            [j for j in range(m) if result.x[2 * n + j] < 0.5])
