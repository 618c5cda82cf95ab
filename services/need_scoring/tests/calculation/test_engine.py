"""Scores are explainable and deterministic: property-tested over every input."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from civic.contracts.common import Category, Urgency
from civic.reference import geography
from need_scoring.calculation.engine import score_case
from need_scoring.calculation.inputs import ScoringInput
from need_scoring.policy import load_policy

from ..conftest import make_case

POLICY = load_policy(Path(__file__).parents[2] / "policies" / "need-2026.11.yaml")

facts = st.builds(
    ScoringInput,
    urgency=st.sampled_from([u.value for u in Urgency]),
    categories=st.lists(st.sampled_from([c.value for c in Category]), min_size=1,
                        unique=True).map(lambda cs: tuple(sorted(cs))),
    people=st.integers(1, 30),
    children=st.integers(0, 29),
    lives_alone=st.booleans(),
    disability_or_long_term_condition=st.booleans(),
    no_internet_access=st.booleans(),
    previous_contacts_12m=st.integers(0, 10_000),
    imd_decile=st.none() | st.integers(1, 10),
)


@given(facts)
def test_contributions_sum_exactly_to_a_score_between_0_and_100(case: ScoringInput) -> None:
    result = score_case(POLICY, case)
    assert sum(c.points for c in result.contributions) == result.score
    assert 0 <= result.score <= 100
    assert result.band == POLICY.band_for(result.score)
    assert [c.factor for c in result.contributions] == [f.id for f in POLICY.factors]
    for contribution in result.contributions:
        assert 0 <= contribution.points <= contribution.weight
        assert contribution.reason.endswith(
            f"{contribution.points} of {int(contribution.weight)} points.")


@given(facts)
def test_the_same_case_under_the_same_policy_always_gets_the_same_score(
        case: ScoringInput) -> None:
    first = score_case(POLICY, case)
    again = score_case(load_policy(Path(__file__).parents[2] / "policies"
                                   / "need-2026.11.yaml"), ScoringInput(**vars(case)))
    assert first == again


@given(st.lists(st.sampled_from([c.value for c in Category]), min_size=1, unique=True),
       st.randoms())
def test_the_order_categories_were_ticked_in_does_not_matter(categories: list[str],
                                                              rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(categories)
    rnd.shuffle(shuffled)
    case = make_case(categories=categories)
    reordered = make_case(categories=shuffled, case_id=case.case_id)
    first = ScoringInput.from_case(case, geography())
    assert ScoringInput.from_case(reordered, geography()) == first
    assert score_case(POLICY, ScoringInput.from_case(reordered, geography())) == score_case(
        POLICY, first)


@given(facts)
def test_more_urgency_never_lowers_a_score(case: ScoringInput) -> None:
    scores = [score_case(POLICY, ScoringInput(**{**vars(case), "urgency": u})).score
              for u in ("can_wait", "this_week", "today")]
    assert scores == sorted(scores)


def test_a_worked_example_reads_plainly() -> None:
    result = score_case(POLICY, ScoringInput("today", ("food", "money"), 2, 1, False, True,
                                             True, 1, 2))
    assert result.score == 79
    assert result.band == "urgent"
    reasons = {c.factor: c.reason for c in result.contributions}
    assert reasons["urgency"] == "The resident asked for help today. 30 of 30 points."
    assert reasons["kind_of_need"].startswith("Needs help with food, money;")
    assert reasons["area_deprivation"].endswith("1 is the most deprived): 2. 9 of 10 points.")


def test_an_unplaced_case_gets_no_deprivation_points_and_is_told_why() -> None:
    result = score_case(POLICY, ScoringInput("can_wait", ("other",), 1, 0, True, False,
                                             False, 0, None))
    area = next(c for c in result.contributions if c.factor == "area_deprivation")
    assert area.points == 0
    assert area.input_value is None
    assert "not known" in area.reason
