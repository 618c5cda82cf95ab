"""The policy loader refuses protected characteristics, unknown fields and anything
inconsistent, with an error that names the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from need_scoring.policy import PolicyError, load_policy, parse_policy

POLICY_FILE = Path(__file__).parents[2] / "policies" / "need-2026.11.yaml"


def policy_with(mutate) -> str:  # type: ignore[no-untyped-def]
    raw = yaml.safe_load(POLICY_FILE.read_text())
    mutate(raw)
    return yaml.safe_dump(raw)


def add_factor(field: str, kind: str = "flag", factor_id: str = "extra"):  # type: ignore[no-untyped-def]
    def mutate(raw: dict) -> None:  # type: ignore[type-arg]
        raw["factors"][0]["weight"] -= 5
        raw["factors"].append({"id": factor_id, "field": field, "kind": kind, "weight": 5,
                               "reason": "Something: {value}.",
                               "justification": "A justification long enough to pass."})
    return mutate


def test_the_published_policy_loads_with_bands_highest_first() -> None:
    policy = load_policy(POLICY_FILE)
    assert policy.version == "need-2026.11"
    assert policy.max_score == 100
    assert [b.min_score for b in policy.bands] == sorted(
        (b.min_score for b in policy.bands), reverse=True)
    assert all(len(f.justification) >= 40 for f in policy.factors)


@pytest.mark.parametrize(("field", "characteristic"), [
    ("ethnicity", "race (ethnicity)"),
    ("household.religion", "religion or belief"),
    ("resident.sex", "sex"),
    ("household.gender_identity", "gender reassignment"),
    ("sexual_orientation", "sexual orientation"),
    ("nationality", "nationality or immigration status"),
    ("immigration_status", "nationality or immigration status"),
    ("resident.first_language", "proxy for race or nationality"),
    ("resident.date_of_birth", "age"),
    ("household.pregnant", "pregnancy and maternity"),
    ("resident.surname", "proxy for sex and ethnicity"),
])
def test_protected_characteristics_and_proxies_are_refused_by_name(
        field: str, characteristic: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(policy_with(add_factor(field)))
    message = str(caught.value)
    assert f"'{field}'" in message
    assert "protected characteristic" in message
    assert characteristic in message


def test_an_unknown_field_is_refused_with_the_fields_a_policy_may_use() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(policy_with(add_factor("household.pets")))
    message = str(caught.value)
    assert "unknown field 'household.pets'" in message
    assert "household.lives_alone" in message


def test_words_that_merely_contain_a_protected_term_are_not_refused_as_protected() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(policy_with(add_factor("household.usage")))
    assert "unknown field 'household.usage'" in str(caught.value)
    assert "protected" not in str(caught.value)


def test_an_unknown_key_is_named() -> None:
    def mutate(raw: dict) -> None:  # type: ignore[type-arg]
        raw["factors"][1]["wieght"] = 3
    with pytest.raises(PolicyError, match=r"unknown key 'factors\.1\.wieght'"):
        parse_policy(policy_with(mutate))


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda raw: raw["factors"][0].update(weight=40), "add up to 110; at most 100"),
    (lambda raw: raw["factors"][0]["levels"].pop("today"), "has no level for today"),
    (lambda raw: raw["factors"][0]["levels"].update(tomorrow=1), "do not exist: tomorrow"),
    (lambda raw: raw["factors"][0]["levels"].update(today=1.5), "levels are between 0 and 1"),
    (lambda raw: raw["factors"][2].update(kind="count"), "this field allows flag"),
    (lambda raw: raw["factors"][4].pop("saturate_at"), "saturate_at is required"),
    (lambda raw: raw["factors"][3].update(reason="Lives alone."), "with {value}"),
    (lambda raw: raw["factors"][3].update(id="urgency"), "'urgency' is used twice"),
    (lambda raw: raw["bands"].pop(), "must start at min_score 0"),
    (lambda raw: raw["factors"][3].update(justification="Because."), "justification"),
])
def test_inconsistent_policies_are_refused_with_the_reason(mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PolicyError) as caught:
        parse_policy(policy_with(mutate))
    assert expected in str(caught.value)


def test_every_problem_is_reported_at_once() -> None:
    def mutate(raw: dict) -> None:  # type: ignore[type-arg]
        add_factor("ethnicity", factor_id="a")(raw)
        add_factor("household.pets", factor_id="b")(raw)
    with pytest.raises(PolicyError) as caught:
        parse_policy(policy_with(mutate))
    assert len(caught.value.problems) == 2


@pytest.mark.parametrize("text", ["", "- a list", "version: [unclosed"])
def test_a_file_that_is_not_a_policy_is_refused(text: str) -> None:
    with pytest.raises(PolicyError, match="refused"):
        parse_policy(text)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the file"):
        load_policy(tmp_path / "nope.yaml")


def test_check_policy_reports_problems_and_exits_non_zero(tmp_path: Path) -> None:
    import subprocess
    import sys

    draft = tmp_path / "draft.yaml"
    draft.write_text(policy_with(add_factor("household.religion")))
    result = subprocess.run([sys.executable, "-m", "need_scoring", "check-policy", str(draft)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "'household.religion'" in result.stderr
    assert "religion or belief" in result.stderr
    ok = subprocess.run([sys.executable, "-m", "need_scoring", "check-policy",
                         str(POLICY_FILE)], capture_output=True, text=True)
    assert ok.returncode == 0
    assert "policy need-2026.11 is valid" in ok.stdout
