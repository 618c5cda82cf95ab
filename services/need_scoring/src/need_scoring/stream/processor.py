"""What each kind of case event does to the service's state, without faust, so it can
be tested and benchmarked alone. The faust agent feeds it and publishes its output.

Events carry the case's version (case intake's counter, one more with each change). The
table keeps the newest version applied per case, and a status change that is not newer
is ignored and counted, so a late or replayed ``in_progress`` cannot reopen a closed
case. A submission brings the facts, never a status, so it is applied whenever it comes;
an erasure always wins.

A placement by staff (``CasePlaced``) moves the case to its new area: the area's facts
(deprivation) are looked up again, the case is re-scored and its open-need count moves
with it, under any staff override still in force. Like a status change, one the case has
reached is ignored. One that comes before its submission (a replay reads both topics
side by side) is kept, and the submission is scored in the placed area; a submission
never moves a placed case back to where it was filed.

After every event the case's current footprint is told to ``need`` (``OpenNeed``) with
the record's revision, changed or not: an event handled again after a crash then tells
the area owner again what it may have missed, and a repeat there moves nothing.

A staff band override arrives as a command on its case's partition
(``apply_override``), so only the worker that owns a case ever changes it.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from civic.contracts.cases import CaseErased, CasePlaced, CaseStatusChanged, CaseSubmitted
from civic.contracts.envelope import Envelope
from civic.contracts.scoring import AppliedOverride, CaseScored
from civic.reference import Geography
from need_scoring.areas.counts import OpenNeed
from need_scoring.calculation.engine import Score, score_case
from need_scoring.calculation.inputs import ScoringInput
from need_scoring.policy import Policy
from need_scoring.stream.records import CaseRecord

CaseTable = MutableMapping[str, dict[str, Any]]


class CaseProcessor:
    def __init__(self, policy: Policy, geography: Geography) -> None:
        self.policy = policy
        self.geography = geography
        self.erased: set[str] = set()  # filled before a replay; see stream.erasures
        # Staff decisions, newest per case, from the database: they outlive any policy.
        self.overrides: dict[str, dict[str, Any]] = {}
        # Told the type of each event ignored as stale (the stream counts them).
        self.on_stale: Callable[[str], None] = lambda _event_type: None

    def handle(self, envelope: Envelope, cases: CaseTable, need: OpenNeed) -> CaseScored | None:
        payload = envelope.payload
        scored: CaseScored | None = None
        if isinstance(payload, CaseSubmitted):
            scored = self._submitted(envelope.id, payload, cases)
        elif isinstance(payload, CasePlaced):
            scored = self._placed(envelope.id, payload, cases)
        elif isinstance(payload, CaseStatusChanged):
            self._update(str(payload.case_id), cases,
                         lambda r: replace(r, status=payload.to_status),
                         payload.case_version, stale=envelope.type)
        elif isinstance(payload, CaseErased):
            self.erased.add(str(payload.case_id))
            self.overrides.pop(str(payload.case_id), None)
            self._update(str(payload.case_id), cases, CaseRecord.erase,
                         payload.case_version)  # never stale: an erasure always wins
        else:
            return None
        case_id = str(payload.case_id)
        record = CaseRecord.from_json(cases.get(case_id))
        need.changed(case_id, record.revision, record.footprint())
        return scored

    def apply_override(self, case_id: str, override: AppliedOverride, cases: CaseTable,
                       need: OpenNeed) -> CaseRecord:
        """Put a staff decision in force on the case, the band with it; the score stays
        what the policy gives. Returns the case's record after it (an erased or unknown
        case is left as it is, and the caller refuses the decision)."""
        before = CaseRecord.from_json(cases.get(case_id))
        if before.erased or before.facts is None:
            return before
        stored = override.model_dump(mode="json")
        in_force = (before.override or {}).get("override_id", 0)
        if in_force > override.override_id:  # a later decision came first: it stays
            stored = before.override or stored
        if before.override != stored:
            self._keep(case_id, before, replace(before, band=override.band, override=stored),
                       cases)
        self.overrides[case_id] = stored  # outlives policies
        after = CaseRecord.from_json(cases.get(case_id))
        need.changed(case_id, after.revision, after.footprint())
        return after

    def scored_event(self, case_id: str, record: CaseRecord) -> CaseScored:
        """The score as published, recomputed from the stored facts (exact, because
        scoring is deterministic)."""
        assert record.facts is not None and record.scored_at is not None
        return self._event(case_id, score_case(self.policy, record.facts), record)

    def _event(self, case_id: str, result: Score, record: CaseRecord) -> CaseScored:
        assert record.scored_at is not None
        stored = record.override or self.overrides.get(case_id)
        override = AppliedOverride.model_validate(stored) if stored else None
        return CaseScored(case_id=case_id, scored_at=datetime.fromisoformat(record.scored_at),
                          score=result.score, band=override.band if override else result.band,
                          policy_version=result.policy_version,
                          contributions=list(result.contributions), override=override)

    def _submitted(self, event_id: str, case: CaseSubmitted,
                   cases: CaseTable) -> CaseScored | None:
        case_id = str(case.case_id)
        before = CaseRecord.from_json(cases.get(case_id))
        if before.erased or case_id in self.erased:
            return None  # erased cases stay gone
        if before.submitted_event_id == event_id:
            # Redelivered (say, after a crash before the score was acknowledged): publish
            # the same score again, identical to the first, and count the case once.
            return self.scored_event(case_id, before)
        facts = ScoringInput.from_case(case, self.geography)
        lsoa_code = case.location.lsoa_code
        if before.placed_event_id is not None:  # staff placed it since: that place holds
            lsoa_code = before.lsoa_code
            facts = facts.in_area(lsoa_code, self.geography)
        after = replace(before, submitted_on=case.submitted_at.astimezone(UTC).date(),
                        submitted_event_id=event_id).at_version(case.case_version)
        return self._rescore(case_id, before, after, facts, lsoa_code, cases)

    def _placed(self, event_id: str, placed: CasePlaced,
                cases: CaseTable) -> CaseScored | None:
        case_id = str(placed.case_id)
        before = CaseRecord.from_json(cases.get(case_id))
        if before.erased or case_id in self.erased:
            return None
        if before.placed_event_id == event_id:
            # Handled again (its batch's scores were not acknowledged): the same score.
            return self.scored_event(case_id, before) if before.facts else None
        if before.is_stale(placed.case_version):
            self.on_stale(CasePlaced.event_type)
            return None
        lsoa_code = placed.location.lsoa_code
        after = replace(before, placed_event_id=event_id).at_version(placed.case_version)
        if before.facts is None:  # ahead of its submission, which will be scored here
            self._keep(case_id, before, replace(after, lsoa_code=lsoa_code), cases)
            return None
        facts = before.facts.in_area(lsoa_code, self.geography)
        return self._rescore(case_id, before, after, facts, lsoa_code, cases)

    def _rescore(self, case_id: str, before: CaseRecord, after: CaseRecord,
                 facts: ScoringInput, lsoa_code: str | None,
                 cases: CaseTable) -> CaseScored:
        """Score ``after`` with these facts in this small area, move its open-need count
        from where ``before`` had it, and keep it; a staff override stays in force."""
        result = score_case(self.policy, facts)
        override = before.override or self.overrides.get(case_id)
        after = replace(
            after, facts=facts, lsoa_code=lsoa_code,
            band=AppliedOverride.model_validate(override).band if override else result.band,
            scored_at=datetime.now(UTC).isoformat(), override=override)
        after = self._keep(case_id, before, after, cases)
        return self._event(case_id, result, after)

    def _update(self, case_id: str, cases: CaseTable,
                change: Callable[[CaseRecord], CaseRecord], version: int | None,
                stale: str | None = None) -> None:
        """Apply a change at a case version; with ``stale`` (the event's type), a
        version the case has already reached is ignored and counted instead."""
        before = CaseRecord.from_json(cases.get(case_id))
        if stale is not None and before.is_stale(version):
            self.on_stale(stale)
            return
        after = change(before).at_version(version)
        if after == before:
            return  # a repeated event: no table write, so no changelog message
        self._keep(case_id, before, after, cases)

    @staticmethod
    def _keep(case_id: str, before: CaseRecord, after: CaseRecord,
              cases: CaseTable) -> CaseRecord:
        after = replace(after, revision=before.revision + 1)
        cases[case_id] = after.to_json()
        return after
