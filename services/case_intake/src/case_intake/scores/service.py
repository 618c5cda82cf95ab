"""Keeping the score read model from ``cases.scored``: the handler of case intake's
consumer group.

Each case keeps the latest score need scoring published. An event read twice (same
event id) changes nothing, and one older than the score held (by ``scored_at``, which
need scoring sets when it scores, replays included) is ignored, so redeliveries and
out-of-order partitions after a rebalance never put an old verdict back. A score for a
case intake doesn't hold, or has erased, is not kept.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from case_intake.scores import repository
from case_intake.scores.models import CaseScore
from case_intake.scores.ordering import queue_key
from civic.contracts.envelope import Envelope
from civic.contracts.scoring import CaseScored
from civic.db import write_lock

log = logging.getLogger(__name__)
TOPICS = ["cases.scored"]
REASONS_KEPT = 3
NEVER = datetime.min.replace(tzinfo=UTC)


def verdict_time(scored_at: datetime, overridden_at: datetime | None) -> tuple[datetime, datetime]:
    """Which of two verdicts is newer: need scoring re-publishes a score when staff
    override its band, with the score's own time and the decision's, so a later
    decision on the same score is newer too."""
    return scored_at, overridden_at or NEVER


class ScoreReadModel:
    def __init__(self, engine: Engine, sessions: sessionmaker[Session]) -> None:
        self.engine = engine
        self.sessions = sessions

    def handle(self, envelope: Envelope) -> None:
        payload = envelope.payload
        if not isinstance(payload, CaseScored):
            return  # a retired version still retained on the topic: nothing to keep
        with write_lock(self.engine), self.sessions.begin() as session:
            self._apply(session, envelope.id, payload)

    @staticmethod
    def _apply(session: Session, event_id: str, scored: CaseScored) -> None:
        case_id = str(scored.case_id)
        case = repository.case_for_update(session, case_id)
        if case is None or case.erased_at is not None:
            log.info("score event %s is for a case not held here (or erased); not kept",
                     event_id)
            return
        held = repository.current(session, case_id)
        decided_at = scored.override.overridden_at if scored.override else None
        if held is not None and held.scored_at is not None and (
                held.event_id == event_id or verdict_time(scored.scored_at, decided_at)
                <= verdict_time(held.scored_at, held.overridden_at)):
            return  # the same event again, or no newer than the verdict held
        row = held or CaseScore(case_id=case_id, opened_at=case.created_at)
        row.score, row.band = scored.score, scored.band.value
        row.queue_key = queue_key(scored.band.value, scored.score, case.status)
        row.policy_version, row.scored_at, row.event_id = (
            scored.policy_version, scored.scored_at, event_id)
        row.overridden, row.overridden_at = scored.override is not None, decided_at
        ranked = sorted(scored.contributions, key=lambda c: -c.points)
        row.reasons = [c.reason for c in ranked if c.points > 0][:REASONS_KEPT]
        # the input values stay with need scoring: the reasons already say them in words
        row.contributions = [{"factor": c.factor, "points": c.points, "reason": c.reason}
                             for c in scored.contributions]
        if held is None:
            repository.add(session, row)
