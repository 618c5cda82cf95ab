"""Staff override a band: kept in the database, applied to open need, published.

The published event and the stream's table carry the decision's id, role and time; the
reason (staff's words about the resident's situation) stays in the database, where every
read of it is audited.

The database transaction commits only once the broker has acknowledged the new scored
event, so a broker failure leaves neither. The one gap left: a commit that fails after
the acknowledgement leaves a published override without its row (the caller sees a 500
and can repeat it; the newest override wins).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from civic.contracts.envelope import encode
from civic.errors import Gone, Unavailable
from civic.http.auth import Principal
from need_scoring import IDENTITY
from need_scoring.areas.counts import move
from need_scoring.audit import repository as audit
from need_scoring.calculation.engine import score_case
from need_scoring.case_scores.schemas import ScoreOut
from need_scoring.case_scores.service import current_record
from need_scoring.overrides import repository
from need_scoring.overrides.models import OverrideDecision
from need_scoring.overrides.schemas import OverrideBandIn, OverrideDecisionOut
from need_scoring.stream.faust_app import NeedStream
from need_scoring.stream.records import CaseRecord


class OverrideRecords:
    """The staff decisions kept in the database, apart from the running stream: loaded
    at start (an erased case's go in stream/erasures.py)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def in_force(self) -> dict[str, dict[str, Any]]:
        with self.sessions() as session:
            return repository.overrides_in_force(session)


class OverrideService:
    def __init__(self, stream: NeedStream, sessions: sessionmaker[Session]) -> None:
        self.stream = stream
        self.sessions = sessions

    async def decisions(self, case_id: str, principal: Principal) -> list[OverrideDecisionOut]:
        """Every band override of a case, oldest first. The reasons are staff's words
        about the resident's situation, so every read is audited."""
        if CaseRecord.from_json(self.stream.cases.get(case_id)).erased:
            raise Gone("Erased", "This case was erased, and its overrides with it.",
                       slug="erased")

        def load() -> list[OverrideDecisionOut]:
            with self.sessions.begin() as session:
                audit.record(session, principal, "read_override_reasons", case_id,
                             ["band", "reason"], "not stated")
                return [OverrideDecisionOut.model_validate(row, from_attributes=True)
                        for row in repository.for_case(session, case_id)]
        return await anyio.to_thread.run_sync(load)

    async def override_band(self, case_id: str, request: OverrideBandIn,
                            principal: Principal, via: str | None = None) -> ScoreOut:
        """``via``: the service that relayed the decision of ``principal``, a member
        of staff using its pages (see ``delegation.py``)."""
        stream = self.stream
        # Under the stream's lock from the first read to the last write: no batch can
        # erase, close or recount the case in between. The stream waits for one broker
        # round trip.
        async with stream.state_lock:
            before = current_record(stream, case_id)  # 404, or 410 once erased
            assert before.facts is not None  # current_record guarantees it
            computed = score_case(stream.policy, before.facts)
            # The session is opened here and committed only after the broker's ack.
            session = self.sessions()
            try:
                row = OverrideDecision(
                    case_id=case_id, band=request.band.value,
                    computed_band=computed.band.value, policy_version=stream.policy.version,
                    reason=request.reason, overridden_by=principal.name,
                    overridden_at=datetime.now(UTC))
                repository.add(session, row)
                audit.record(session, principal, "override_band", case_id, ["band"],
                             f"band override via {via}" if via else "band override")
                await anyio.to_thread.run_sync(session.flush)  # gives the row its id
                # The event and the table carry the decision's id; its reason stays here.
                after = replace(before, band=request.band,
                                override=repository.applied(row).model_dump(mode="json"))
                scored = stream.processor.scored_event(case_id, after)
                decision = OverrideDecisionOut.model_validate(row, from_attributes=True)
                try:
                    ack = await stream.send(encode(scored, source=IDENTITY.event_source))
                    await asyncio.wait_for(ack, timeout=10)
                except Exception as exc:
                    raise Unavailable("Not recorded", "The override could not be published, "
                                      "so it was not recorded; try again.",
                                      slug="broker-unavailable") from exc
                await anyio.to_thread.run_sync(session.commit)
            finally:
                session.close()
            move(stream.buckets, before.footprint(), after.footprint())
            stream.cases[case_id] = after.to_json()
            stream.processor.overrides[case_id] = after.override or {}  # outlives policies
        stream.record_override(request.band)
        return ScoreOut.of(scored, decision)
