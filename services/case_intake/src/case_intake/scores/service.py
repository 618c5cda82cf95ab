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

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from case_intake.scores import repository
from case_intake.scores.models import CaseScore
from civic.contracts.common import Band
from civic.contracts.envelope import Envelope
from civic.contracts.scoring import CaseScored
from civic.db import write_lock

log = logging.getLogger(__name__)
TOPICS = ["cases.scored"]
BAND_RANK = {band.value: rank for rank, band in enumerate(Band)}
REASONS_KEPT = 3


def queue_key(band: str, score: int) -> int:
    """See CaseScore.queue_key."""
    return (len(BAND_RANK) - 1 - BAND_RANK[band]) * 1000 + (100 - score)


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
        if held is not None and held.scored_at is not None and (
                held.event_id == event_id or held.scored_at >= scored.scored_at):
            return  # the same event again, or older than the score held
        row = held or CaseScore(case_id=case_id, opened_at=case.created_at)
        row.score, row.band = scored.score, scored.band.value
        row.queue_key = queue_key(scored.band.value, scored.score)
        row.policy_version, row.scored_at, row.event_id = (
            scored.policy_version, scored.scored_at, event_id)
        row.overridden = scored.override is not None
        ranked = sorted(scored.contributions, key=lambda c: -c.points)
        row.reasons = [c.reason for c in ranked if c.points > 0][:REASONS_KEPT]
        if held is None:
            repository.add(session, row)
