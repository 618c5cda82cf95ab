"""A case's current score, from the stream's table, for the people who work the case."""

from __future__ import annotations

from civic.contracts.scoring import CaseScored
from civic.http.problems import Problem
from need_scoring.stream.app import NeedStream
from need_scoring.stream.records import CaseRecord


def current_record(stream: NeedStream, case_id: str) -> CaseRecord:
    record = CaseRecord.from_json(stream.cases.get(case_id))
    if record.erased:
        raise Problem(410, "Erased", "This case was erased; its score is no longer served.",
                      slug="erased")
    if record.facts is None:
        raise Problem(404, "Not found", f"No score for case {case_id}: it has not been "
                      "submitted, or not yet scored.", slug="not-found")
    return record


def current_score(stream: NeedStream, case_id: str) -> CaseScored:
    return stream.processor.scored_event(case_id, current_record(stream, case_id))
