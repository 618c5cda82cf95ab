"""The score read model (fed events here; the broker is in test_from_the_bus.py): the
latest score is kept with its band, policy version and top reasons; an event read twice
or older than the score held changes nothing; a score for an erased or unknown case is
not kept, and erasing a case removes its score.

Mutations seen to fail: the staleness check removed (the older score replaced the
newer), and erasure not forgetting the score (the row stayed)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from case_intake.cases.models import Case
from case_intake.scores.models import CaseScore
from case_intake.scores.ordering import CLOSED_OFFSET, UNSCORED, queue_key
from case_intake.scores.service import ScoreReadModel
from civic.contracts import decode, encode
from civic.contracts.envelope import Envelope
from civic.contracts.scoring import CaseScored

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def score_event(case_id: str, *, at: datetime, score: int = 62, band: str = "high",
                override: dict[str, Any] | None = None) -> Envelope:
    record = encode(CaseScored.model_validate({
        "case_id": case_id, "scored_at": at, "score": score, "band": band,
        "policy_version": "need-2026.11", "override": override,
        "contributions": [
            {"factor": "lives_alone", "input_value": True, "weight": 1.0, "points": 12,
             "reason": "The resident lives alone."},
            {"factor": "urgency", "input_value": "today", "weight": 1.0, "points": 40,
             "reason": "Help is needed today."},
            {"factor": "children", "input_value": 0, "weight": 1.0, "points": 0,
             "reason": "No children in the household."},
            {"factor": "disability", "input_value": True, "weight": 1.0,
             "points": score - 52, "reason": "A disability or long-term condition."}]}),
        source="urn:test")
    return decode(record.headers, record.value, record.key)


def held(app, case_id: str) -> CaseScore | None:  # type: ignore[no-untyped-def]
    with app.state.container.database.sessions() as session:
        return session.get(CaseScore, case_id)


def model(client) -> ScoreReadModel:  # type: ignore[no-untyped-def]
    database = client.app.state.container.database
    return ScoreReadModel(database.engine, database.sessions)


def test_a_filed_case_is_in_the_read_model_unscored_at_once(client, new_case) -> None:
    row = held(client.app, new_case()["id"])
    assert row is not None and row.queue_key == UNSCORED and row.score is None
    assert row.event_id is None and row.band is None


def test_the_latest_score_is_kept_with_what_explains_it(client, new_case) -> None:
    case = new_case()
    model(client).handle(score_event(case["id"], at=T0))
    row = held(client.app, case["id"])
    assert row is not None
    assert (row.score, row.band, row.queue_key, row.policy_version, row.overridden) == (
        62, "high", 1038, "need-2026.11", False)
    assert row.reasons == ["Help is needed today.", "The resident lives alone.",
                           "A disability or long-term condition."], "most points first"
    assert row.contributions == [  # every factor, in the policy's order, without inputs
        {"factor": "lives_alone", "points": 12, "reason": "The resident lives alone."},
        {"factor": "urgency", "points": 40, "reason": "Help is needed today."},
        {"factor": "children", "points": 0, "reason": "No children in the household."},
        {"factor": "disability", "points": 10,
         "reason": "A disability or long-term condition."}]
    with client.app.state.container.database.sessions() as session:
        assert row.opened_at == session.get(Case, case["id"]).created_at, "for the order"


def test_a_staff_override_republished_with_the_score_s_own_time_is_kept(client,
                                                                         new_case) -> None:
    """Need scoring re-publishes a score when staff override its band, keeping the
    score's scored_at: the decision's time makes it newer (seen to fail when only
    scored_at counted: the override was dropped)."""
    case_id = new_case()["id"]
    model(client).handle(score_event(case_id, at=T0, score=40, band="medium"))

    def overridden(band: str, override_id: int, at: datetime) -> Envelope:
        return score_event(case_id, at=T0, score=40, band=band, override={
            "band": band, "override_id": override_id, "actor_role": "staff",
            "overridden_at": at})

    model(client).handle(overridden("urgent", 1, T0 + timedelta(minutes=10)))
    row = held(client.app, case_id)
    assert row is not None and (row.band, row.overridden, row.queue_key) == ("urgent", True, 60)
    model(client).handle(overridden("high", 2, T0 + timedelta(minutes=20)))  # changed mind
    assert held(client.app, case_id).band == "high"  # type: ignore[union-attr]
    model(client).handle(overridden("low", 3, T0 + timedelta(minutes=15)))  # arrived late
    assert held(client.app, case_id).band == "high"  # type: ignore[union-attr]
    rescored = score_event(case_id, at=T0 + timedelta(hours=1), score=45, band="medium")
    model(client).handle(rescored)  # scored again since (say, a new policy): newer still
    assert held(client.app, case_id).event_id == rescored.id  # type: ignore[union-attr]


def test_an_event_read_twice_or_older_than_the_score_held_changes_nothing(client,
                                                                          new_case) -> None:
    case_id = new_case()["id"]
    newer = score_event(case_id, at=T0 + timedelta(minutes=5), score=70)
    model(client).handle(newer)
    model(client).handle(score_event(case_id, at=T0, score=55, band="medium"))
    row = held(client.app, case_id)
    assert row is not None and (row.score, row.event_id) == (70, newer.id)
    model(client).handle(newer)
    assert held(client.app, case_id).event_id == newer.id  # type: ignore[union-attr]
    # the same event id again, whatever it carries, is the same event
    again = replace(score_event(case_id, at=T0 + timedelta(hours=2), score=99, band="urgent"),
                    id=newer.id)
    model(client).handle(again)
    assert held(client.app, case_id).score == 70  # type: ignore[union-attr]


def test_scores_for_unknown_or_erased_cases_are_not_kept_and_erasure_removes_one(
        client, new_case, as_) -> None:  # type: ignore[no-untyped-def]
    unknown = str(uuid.uuid4())
    model(client).handle(score_event(unknown, at=T0))
    assert held(client.app, unknown) is None
    case_id = new_case()["id"]
    model(client).handle(score_event(case_id, at=T0))
    assert held(client.app, case_id) is not None
    erased = client.post(f"/v1/cases/{case_id}/erasure", json={"reason": "resident asked"},
                         headers=as_("staff"))
    assert erased.status_code == 200, erased.text
    assert held(client.app, case_id) is None, "the erased case left the read model"
    model(client).handle(score_event(case_id, at=T0 + timedelta(hours=1)))
    assert held(client.app, case_id) is None, "a late score does not bring it back"


def test_a_score_for_a_case_no_longer_open_is_placed_after_the_open_ones(client, new_case,
                                                                         as_) -> None:  # type: ignore[no-untyped-def]
    case_id = new_case()["id"]
    withdrawn = client.post(f"/v1/cases/{case_id}/status", headers=as_("staff"),
                            json={"to": "withdrawn", "reason": "no longer needed"})
    assert withdrawn.status_code == 200, withdrawn.text
    model(client).handle(score_event(case_id, at=T0, score=90, band="urgent"))
    row = held(client.app, case_id)
    assert row is not None and row.band == "urgent"
    assert row.queue_key == queue_key("urgent", 90, "withdrawn") >= CLOSED_OFFSET
