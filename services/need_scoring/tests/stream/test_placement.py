"""A case placed by staff (``civic.case.placed.v1``), in the processor without faust.

Mutations seen to fail, one at a time:
- ``_placed`` not re-reading the area (``facts`` kept as submitted): the placed case kept
  "not known" deprivation and its old score;
- ``_rescore`` not moving the footprint (``move`` skipped): the old area kept counting
  the case and the new one never did;
- the override dropped in ``_rescore`` (``override = None``): the computed band replaced
  staff's decision;
- the version check dropped (``is_stale`` not asked for placements): a late placement
  moved the case back;
- the same-event check dropped in ``_placed``: a batch handled again after its scores
  were refused published nothing the second time (the score was lost);
- ``_submitted`` ignoring ``placed_event_id``: a submission read after its placement
  (a replay) put the case back where it was filed;
- the erased check dropped from ``_placed``: a case erased before a replay got a row.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from civic.contracts.base import EventPayload
from civic.contracts.cases import CaseErased, CasePlaced, CaseSubmitted
from civic.contracts.envelope import Envelope
from civic.contracts.scoring import CaseScored
from civic.reference import geography
from need_scoring.areas.counts import AreaCounts
from need_scoring.policy import load_policy
from need_scoring.stream.processor import CaseProcessor

from ..conftest import POLICY_FILE, make_case

NOW = datetime.now(UTC)
DECILE_2 = "E01000858"  # Camden Town with Primrose Hill
DECILE_9 = "E01000842"  # Belsize
UNPLACED = {"ward_code": None, "lsoa_code": None, "resolved": False}

State = tuple[CaseProcessor, dict[str, dict[str, Any]], AreaCounts]


def envelope(payload: EventPayload, event_id: str | None = None) -> Envelope:
    return Envelope(id=event_id or str(uuid.uuid4()), source="urn:test",
                    type=payload.event_type, time=NOW, subject=None, payload=payload)


def placed(case: CaseSubmitted, lsoa_code: str | None, version: int,
           ward_code: str | None = None) -> CasePlaced:
    ward = ward_code or geography().areas[lsoa_code or ""].ward_code
    return CasePlaced(case_id=case.case_id, placed_at=NOW,
                      location={"ward_code": ward, "lsoa_code": lsoa_code, "resolved": True},
                      actor_role="staff", actor_id="staff.duty-desk", case_version=version)


def open_in(need: AreaCounts, lsoa_code: str) -> int:
    return sum(c.get("total", 0) for k, c in need.buckets.items()
               if k.startswith(f"{lsoa_code}|"))


def deprivation(scored: CaseScored) -> int:
    return next(c.points for c in scored.contributions if c.factor == "area_deprivation")


@pytest.fixture
def state() -> State:
    return CaseProcessor(load_policy(POLICY_FILE), geography()), {}, AreaCounts({}, {})


def test_placing_an_unplaced_case_rescores_it_with_the_area_s_deprivation(state: State
                                                                          ) -> None:
    processor, cases, buckets = state
    case = make_case(location=UNPLACED, case_version=1)
    first = processor.handle(envelope(case), cases, buckets)
    assert first is not None and deprivation(first) == 0
    assert sum(c.get("total", 0) for c in buckets.buckets.values()) == 0, "no area, no count"

    again = processor.handle(envelope(placed(case, DECILE_2, 2)), cases, buckets)
    assert again is not None, "a placement publishes a new score"
    assert deprivation(again) == 9, "decile 2: 0.9 of the factor's 10 points"
    assert again.score == first.score + 9
    assert sum(c.points for c in again.contributions) == again.score
    assert again.scored_at > first.scored_at, "a new score, not the old one again"
    assert open_in(buckets, DECILE_2) == 1
    record = cases[str(case.case_id)]
    assert (record["lsoa_code"], record["facts"]["imd_decile"], record["case_version"]) == (
        DECILE_2, 2, 2)


def test_re_placing_moves_the_open_need_count_to_the_new_area(state: State) -> None:
    processor, cases, buckets = state
    case = make_case(lsoa_code=DECILE_2, case_version=1)
    processor.handle(envelope(case), cases, buckets)
    assert (open_in(buckets, DECILE_2), open_in(buckets, DECILE_9)) == (1, 0)
    moved = processor.handle(envelope(placed(case, DECILE_9, 2)), cases, buckets)
    assert moved is not None and deprivation(moved) == 0  # decile 9
    assert (open_in(buckets, DECILE_2), open_in(buckets, DECILE_9)) == (0, 1)
    # a ward alone: the small area is unknown, so no small area counts the case
    ward_only = processor.handle(envelope(placed(case, None, 3, ward_code="E05000128")),
                                 cases, buckets)
    assert ward_only is not None and deprivation(ward_only) == 0
    assert sum(c.get("total", 0) for c in buckets.buckets.values()) == 0


def test_a_staff_override_stays_in_force_after_a_placement(state: State) -> None:
    processor, cases, buckets = state
    case = make_case(location=UNPLACED, case_version=1)
    processor.handle(envelope(case), cases, buckets)
    processor.overrides[str(case.case_id)] = {
        "band": "low", "override_id": 11, "actor_role": "staff",
        "overridden_at": (NOW - timedelta(minutes=5)).isoformat()}
    scored = processor.handle(envelope(placed(case, DECILE_2, 2)), cases, buckets)
    assert scored is not None and scored.override is not None
    assert (scored.band, scored.override.override_id) == ("low", 11)
    assert cases[str(case.case_id)]["band"] == "low"


def test_a_late_placement_is_ignored_and_counted(state: State) -> None:
    processor, cases, buckets = state
    stale: list[str] = []
    processor.on_stale = stale.append
    case = make_case(location=UNPLACED, case_version=1)
    processor.handle(envelope(case), cases, buckets)
    processor.handle(envelope(placed(case, DECILE_9, 3)), cases, buckets)
    late = processor.handle(envelope(placed(case, DECILE_2, 2)), cases, buckets)
    assert late is None
    assert stale == ["civic.case.placed.v1"]
    assert (open_in(buckets, DECILE_2), open_in(buckets, DECILE_9)) == (0, 1)


def test_handled_again_a_placement_publishes_the_same_score_and_counts_once(state: State
                                                                            ) -> None:
    """The faust agent handles a whole batch again when its scores were not
    acknowledged; the table already holds the placement, and the score must still go."""
    processor, cases, buckets = state
    case = make_case(location=UNPLACED, case_version=1)
    processor.handle(envelope(case), cases, buckets)
    event = envelope(placed(case, DECILE_2, 2))
    first = processor.handle(event, cases, buckets)
    again = processor.handle(event, cases, buckets)
    assert first is not None and again == first
    assert open_in(buckets, DECILE_2) == 1


def test_a_placement_ahead_of_its_submission_places_the_submission(state: State) -> None:
    """A replay reads cases.submitted and cases.lifecycle side by side; the submission,
    however late, never puts the case back where it was filed."""
    processor, cases, buckets = state
    case = make_case(location=UNPLACED, case_version=1)
    assert processor.handle(envelope(placed(case, DECILE_2, 2)), cases, buckets) is None
    scored = processor.handle(envelope(case), cases, buckets)
    assert scored is not None and deprivation(scored) == 9
    assert open_in(buckets, DECILE_2) == 1
    # the submission read again under another id (a second relay's send) keeps the place
    processor.handle(envelope(case), cases, buckets)
    assert open_in(buckets, DECILE_2) == 1
    assert cases[str(case.case_id)]["lsoa_code"] == DECILE_2


def test_an_erased_case_is_not_placed(state: State) -> None:
    processor, cases, buckets = state
    case = make_case(location=UNPLACED, case_version=1)
    processor.handle(envelope(case), cases, buckets)
    processor.handle(envelope(CaseErased(case_id=case.case_id, erased_at=NOW,
                                         case_version=2)), cases, buckets)
    assert processor.handle(envelope(placed(case, DECILE_2, 3)), cases, buckets) is None
    assert cases[str(case.case_id)]["facts"] is None
    assert sum(c.get("total", 0) for c in buckets.buckets.values()) == 0
    erased_before_replay = make_case(location=UNPLACED, case_version=1)
    processor.erased.add(str(erased_before_replay.case_id))
    assert processor.handle(envelope(placed(erased_before_replay, DECILE_2, 2)),
                            cases, buckets) is None
    assert str(erased_before_replay.case_id) not in cases
