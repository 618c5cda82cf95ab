"""Staff override a band: kept in the database, applied by the worker that owns the case,
published.

The published event and the stream's table carry the decision's id, role and time; the
reason (staff's words about the resident's situation) stays in the database, where every
read of it is audited.

Any worker takes the request. The decision is kept as pending, then sent as a command to
the worker that owns the case (``commands.py``), which applies it and publishes the new
score; this endpoint answers once that outcome is in the database and this worker's copy
of the case shows it (its own partition, or a standby copy of another worker's).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from civic.errors import Gone, NotFound, Unavailable
from civic.http.auth import Principal
from need_scoring.audit import repository as audit
from need_scoring.case_scores.schemas import ScoreOut
from need_scoring.overrides import repository
from need_scoring.overrides.commands import command
from need_scoring.overrides.models import OverrideDecision
from need_scoring.overrides.schemas import OverrideBandIn, OverrideDecisionOut
from need_scoring.stream.faust_app import NeedStream
from need_scoring.stream.records import CaseRecord

POLL_S = 0.05


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
        if CaseRecord.from_json(stream.cases.get(case_id)).erased:
            raise Gone("Erased", "This case was erased; its band cannot be changed.",
                       slug="erased")
        override_id = await anyio.to_thread.run_sync(
            self._keep_pending, case_id, request, principal, via)
        row = await anyio.to_thread.run_sync(self._row, override_id)
        try:
            ack = await stream.send(command(case_id, repository.applied(row),
                                            stream.policy.version))
        except Exception as exc:  # the producer refused it: it was never sent
            await anyio.to_thread.run_sync(self._forget, override_id)
            raise Unavailable("Not recorded", "The override could not be sent to the "
                              "worker that scores this case, so it was not recorded; try "
                              "again.", slug="broker-unavailable") from exc
        try:  # sent, perhaps delivered: from here the decision stays pending, not gone
            await asyncio.wait_for(ack, timeout=self.stream.settings.override_wait_seconds)
        except Exception:
            raise self._pending() from None
        state = await self._settled(override_id)
        if state == "gone":
            raise Gone("Erased", "This case was erased; its band cannot be changed.",
                       slug="erased")
        if state == "not-found":
            raise NotFound("Not found", f"No score for case {case_id}: it has not been "
                           "submitted, or not yet scored.", slug="not-found")
        if state == "erased":
            raise Gone("Erased", "This case was erased; its band cannot be changed.",
                       slug="erased")
        record = await self._shown(case_id, override_id) if state == "applied" else None
        if record is None:
            raise self._pending()
        decision = OverrideDecisionOut.model_validate(
            await anyio.to_thread.run_sync(self._row, override_id), from_attributes=True)
        return ScoreOut.of(stream.processor.scored_event(case_id, record), decision)

    @staticmethod
    def _pending() -> Unavailable:
        return Unavailable("Not applied yet", "The override is recorded and will be "
                           "applied when the worker that scores this case is back; do not "
                           "send it again. Read the score to see it.",
                           slug="override-pending", retry_after_s=5)

    def _keep_pending(self, case_id: str, request: OverrideBandIn, principal: Principal,
                      via: str | None) -> int:
        with self.sessions.begin() as session:
            row = OverrideDecision(
                case_id=case_id, band=request.band.value, computed_band="",
                policy_version=self.stream.policy.version, reason=request.reason,
                overridden_by=principal.name, overridden_at=datetime.now(UTC),
                state="pending")
            repository.add(session, row)
            audit.record(session, principal, "override_band", case_id, ["band"],
                         f"band override via {via}" if via else "band override")
            session.flush()
            return row.id

    def _row(self, override_id: int) -> OverrideDecision:
        with self.sessions() as session:
            row = repository.by_id(session, override_id)
            assert row is not None
            session.expunge(row)
            return row

    def _forget(self, override_id: int) -> None:
        with self.sessions.begin() as session:
            repository.remove(session, override_id)

    async def _settled(self, override_id: int) -> str:
        deadline = time.monotonic() + self.stream.settings.override_wait_seconds
        while True:
            state = await anyio.to_thread.run_sync(self._state, override_id)
            if state != "pending" or time.monotonic() >= deadline:
                return state
            await asyncio.sleep(POLL_S)

    def _state(self, override_id: int) -> str:
        with self.sessions() as session:
            return repository.state_of(session, override_id) or "gone"  # erased since

    async def _shown(self, case_id: str, override_id: int) -> CaseRecord | None:
        """This worker's copy of the case once it carries the decision: at once on the
        owner, a moment later on a worker with a standby copy."""
        deadline = time.monotonic() + self.stream.settings.override_wait_seconds
        while time.monotonic() < deadline:
            record = CaseRecord.from_json(self.stream.cases.get(case_id))
            # this decision, or a later one that came first and stays in force
            if (record.override or {}).get("override_id", 0) >= override_id:
                return record
            await asyncio.sleep(POLL_S)
        return None
