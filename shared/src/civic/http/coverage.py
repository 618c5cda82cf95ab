"""A partner key's coverage: the wards and case categories it may claim cases in, set by
ops (``keys create --wards … --categories …``, ``keys coverage``). Stored on the key's
row in ``api_keys`` as two JSON lists; a partner key without them covers nothing."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from civic.contracts.common import Category
from civic.errors import InvalidInput


@dataclass(frozen=True)
class Coverage:
    """Where a partner works: ONS ward codes and case categories (``Category`` values).
    A case is covered when its ward is one of ``wards`` and at least one of its
    categories is one of ``categories``; a case without a ward is covered by no one."""

    wards: frozenset[str]
    categories: frozenset[str]

    def covers_ward(self, ward_code: str | None) -> bool:
        return ward_code is not None and ward_code in self.wards

    def serves_any(self, categories: Iterable[str]) -> bool:
        return not self.categories.isdisjoint(categories)

    def check(self) -> Coverage:
        """This coverage, if every ward is the council's and every category known."""
        from civic.reference import geography  # the council's wards, loaded once

        for kind, given, known in (("ward codes", self.wards, set(geography().wards)),
                                   ("categories", self.categories, {c.value for c in Category})):
            if unknown := sorted(given - known):
                raise InvalidInput(f"Unknown {kind}", f"unknown {kind}: {', '.join(unknown)}; "
                                   f"known: {', '.join(sorted(known))}",
                                   slug=f"unknown-{kind.replace(' ', '-')}")
        return self

    @classmethod
    def everything(cls) -> Coverage:
        """Every ward of the council and every category."""
        from civic.reference import geography

        return cls(frozenset(geography().wards), frozenset(c.value for c in Category))


def coverage_columns(role: str, coverage: Coverage | None) -> dict[str, str | None]:
    if coverage is None:
        return {"coverage_wards": None, "coverage_categories": None}
    if role != "partner":
        raise InvalidInput("Coverage is for partners",
                           f"only partner keys carry coverage; this is a {role} key",
                           slug="coverage-not-for-role")
    coverage.check()
    return {"coverage_wards": json.dumps(sorted(coverage.wards)),
            "coverage_categories": json.dumps(sorted(coverage.categories))}


def from_columns(wards: str | None, categories: str | None) -> Coverage | None:
    if wards is None or categories is None:
        return None  # covers nothing
    return Coverage(frozenset(json.loads(wards)), frozenset(json.loads(categories)))
