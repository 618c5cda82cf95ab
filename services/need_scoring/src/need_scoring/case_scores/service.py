"""A case's current score, from the stream's table, for the people who work the case,
with the reason for any staff override read from the database. Every read is audited: a
score describes a resident's household, and an override's reason their situation."""

from __future__ import annotations

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from civic.contracts.scoring import CaseScored
from civic.errors import Gone, NotFound
from civic.http.auth import Principal
from need_scoring.audit import repository as audit
from need_scoring.case_scores.schemas import ScoreOut
from need_scoring.overrides import repository as overrides
from need_scoring.overrides.schemas import OverrideDecisionOut
from need_scoring.stream.faust_app import NeedStream
from need_scoring.stream.records import CaseRecord

SCORE_FIELDS = ["score", "band", "contributions"]


def current_record(stream: NeedStream, case_id: str) -> CaseRecord:
    record = CaseRecord.from_json(stream.cases.get(case_id))
    if record.erased:
        raise Gone("Erased", "This case was erased; its score is no longer served.",
                   slug="erased")
    if record.facts is None:
        raise NotFound("Not found", f"No score for case {case_id}: it has not been "
                       "submitted, or not yet scored.", slug="not-found")
    return record


class CaseScoreService:
    def __init__(self, stream: NeedStream, sessions: sessionmaker[Session]) -> None:
        self.stream = stream
        self.sessions = sessions

    def current_score(self, case_id: str) -> CaseScored:
        return self.stream.processor.scored_event(case_id, current_record(self.stream, case_id))

    async def read_score(self, case_id: str, principal: Principal) -> ScoreOut:
        # Read on the event loop, where the stream writes the table; log in a thread.
        scored = self.current_score(case_id)

        def read_decision() -> OverrideDecisionOut | None:
            with self.sessions.begin() as session:
                row = overrides.by_id(session, scored.override.override_id) \
                    if scored.override else None
                audit.record(session, principal, "read_score", case_id,
                             SCORE_FIELDS + (["override_reason"] if row else []),
                             "not stated")
                return OverrideDecisionOut.model_validate(row, from_attributes=True) \
                    if row else None

        return ScoreOut.of(scored, await anyio.to_thread.run_sync(read_decision))
