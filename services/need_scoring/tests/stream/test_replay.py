"""A new policy version rescores past cases by replaying cases.submitted: every case
gets a score under the new version, with the new weights, the old scores stay
distinguishable by their version, and an erased case is not brought back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from civic.contracts.cases import CaseErased
from civic.contracts.envelope import encode
from civic.contracts.scoring import CaseScored
from civic.kafka.producer import EventProducer
from civic.testing import LiveServer

from ..conftest import make_case, read_events

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def reweigh(text: str) -> str:
    """Urgency 30 -> 20, kind of need 20 -> 30: same factors, different weights."""
    return (text.replace("    weight: 30\n", "    weight: 20\n", 1)
                .replace("    field: categories\n    kind: any_of\n    weight: 20\n",
                         "    field: categories\n    kind: any_of\n    weight: 30\n", 1))


def scores(bootstrap: str, case_ids: set[str], version: str) -> dict[str, list[CaseScored]]:
    def complete(events: list) -> bool:  # type: ignore[type-arg]
        return case_ids <= {str(e.payload.case_id) for e in events
                            if e.payload.policy_version == version}
    found: dict[str, list[CaseScored]] = {}
    for event in read_events(bootstrap, "cases.scored", complete):
        payload = event.payload
        assert isinstance(payload, CaseScored)
        if payload.policy_version == version and str(payload.case_id) in case_ids:
            found.setdefault(str(payload.case_id), []).append(payload)
    return found


def test_a_new_policy_version_rescores_past_cases_by_replay(
        kafka_bootstrap: str, policy_file: Callable[..., Path],
        scoring_service: Callable[..., LiveServer]) -> None:
    old_policy = policy_file()
    new_policy = policy_file(edit=reweigh)
    cases = [make_case(urgency="this_week", categories=["medicine"]) for _ in range(5)]
    ids = {str(c.case_id) for c in cases}
    producer = EventProducer(kafka_bootstrap, client_id="test")
    assert all(producer.send_all([encode(c, source="urn:test") for c in cases]))
    producer.close()

    scoring_service(old_policy)
    before = scores(kafka_bootstrap, ids, old_policy.stem)
    erased = cases.pop()
    ids.remove(str(erased.case_id))
    producer = EventProducer(kafka_bootstrap, client_id="test")
    assert producer.send_all([encode(CaseErased(case_id=erased.case_id,
                                                erased_at=datetime.now(UTC)),
                                     source="urn:test")]) == [True]
    producer.close()
    # Deploying the new version: a new consumer group, which starts from the oldest case.
    scoring_service(new_policy)
    after = scores(kafka_bootstrap, ids, new_policy.stem)

    assert set(after) == ids, "an erased case is never rescored"
    assert set(before) >= ids
    for case_id in ids:
        assert len(after[case_id]) == 1, "each case is rescored once"
        old, new = before[case_id][0], after[case_id][0]
        old_points = {c.factor: c.points for c in old.contributions}
        new_points = {c.factor: c.points for c in new.contributions}
        assert (old_points["urgency"], new_points["urgency"]) == (15, 10)
        assert (old_points["kind_of_need"], new_points["kind_of_need"]) == (20, 30)
        assert new.score == old.score + 5
        assert sum(new_points.values()) == new.score
