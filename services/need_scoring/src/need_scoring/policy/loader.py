"""Load a policy file and refuse anything unfair, unknown or ambiguous, by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from need_scoring.policy.fields import SCORABLE_FIELDS
from need_scoring.policy.protected import protected_characteristic
from need_scoring.policy.schemas import Factor, Policy


class PolicyError(ValueError):
    """A policy that must not be used; the message lists every problem found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"policy {source} refused:\n" + "\n".join(f"  - {p}" for p in problems))


def load_policy(path: Path) -> Policy:
    try:
        text = path.read_text()
    except OSError as exc:
        raise PolicyError(str(path), [f"cannot read the file: {exc.strerror}"]) from exc
    return parse_policy(text, source=str(path))


def parse_policy(text: str, source: str = "<text>") -> Policy:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(source, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise PolicyError(source, ["the file must be a YAML mapping"])
    # Fields are checked before the schema, so a protected characteristic is named as
    # such even when the rest of the factor is malformed.
    problems = _field_problems(raw.get("factors"))
    if problems:
        raise PolicyError(source, problems)
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        raise PolicyError(source, [_describe(err) for err in exc.errors()]) from exc
    problems = _consistency_problems(policy)
    if problems:
        raise PolicyError(source, problems)
    return policy.model_copy(update={
        "bands": sorted(policy.bands, key=lambda b: b.min_score, reverse=True)})


def _field_problems(factors: Any) -> list[str]:
    if not isinstance(factors, list):
        return []  # the schema reports a missing or malformed list
    problems = []
    for index, factor in enumerate(factors):
        if not isinstance(factor, dict):
            continue
        name = str(factor.get("field", ""))
        where = f"factor {index + 1} ({factor.get('id', 'no id')})"
        characteristic = protected_characteristic(name)
        if characteristic:
            problems.append(
                f"{where} uses field '{name}', which is a protected characteristic or a "
                f"proxy for one ({characteristic}); it can never be part of a score")
        elif name not in SCORABLE_FIELDS:
            problems.append(
                f"{where} uses unknown field '{name}'; a policy may only use: "
                + ", ".join(sorted(SCORABLE_FIELDS)))
    return problems


def _consistency_problems(policy: Policy) -> list[str]:
    problems = []
    if policy.max_score > 100:
        problems.append(f"the factors' weights add up to {policy.max_score}; at most 100")
    ids = [f.id for f in policy.factors]
    problems += [f"factor id '{i}' is used twice" for i in sorted({i for i in ids
                                                                  if ids.count(i) > 1})]
    bands = [b.band for b in policy.bands]
    if sorted(set(bands)) != sorted(bands):
        problems.append("a band is listed twice")
    if 0 not in {b.min_score for b in policy.bands}:
        problems.append("one band must start at min_score 0, so every score has a band")
    for factor in policy.factors:
        problems += _factor_problems(factor)
    return problems


def _factor_problems(factor: Factor) -> list[str]:
    field = SCORABLE_FIELDS[factor.field]
    where = f"factor '{factor.id}' ({factor.field})"
    expected_kinds = {bool: {"flag"}, int: {"count", "lookup"}}.get(
        field.type, {"any_of"} if field.many else {"lookup"})
    if factor.kind not in expected_kinds:
        return [f"{where} is of kind '{factor.kind}'; this field allows "
                + " or ".join(sorted(expected_kinds))]
    problems = []
    if factor.kind in ("lookup", "any_of"):
        missing = [v for v in field.values if v not in factor.levels]
        extra = [v for v in factor.levels if v not in field.values]
        if missing:
            problems.append(f"{where} has no level for {', '.join(missing)}")
        if extra:
            problems.append(f"{where} gives levels for values that do not exist: "
                            + ", ".join(extra))
        if not field.values:
            problems.append(f"{where}: this field cannot be looked up")
        problems += [f"{where}: level for '{v}' is {lv}; levels are between 0 and 1"
                     for v, lv in factor.levels.items() if not 0 <= lv <= 1]
    elif factor.levels:
        problems.append(f"{where}: levels only apply to lookup and any_of factors")
    if (factor.kind == "count") != (factor.saturate_at is not None):
        problems.append(f"{where}: saturate_at is required for count factors, "
                        "and only for them")
    if "{value}" not in factor.reason:
        problems.append(f"{where}: the reason must show the input, with {{value}}")
    return problems


def _describe(err: Any) -> str:
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        return f"unknown key '{where}'; check the spelling against the policy format"
    return f"{where}: {err['msg']}"
