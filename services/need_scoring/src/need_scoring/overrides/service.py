"""Staff override a band: kept in the database, applied to open need, published.

The database transaction commits only once the broker has acknowledged the new scored
event, so a broker failure leaves neither. The one gap left: a commit that fails after
the acknowledgement leaves a published override without its row (the caller sees a 500
and can repeat it; the newest override wins).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from civic.contracts.envelope import encode
from civic.contracts.scoring import BandOverride, CaseScored
from civic.http.auth import Principal
from civic.http.problems import Problem
from need_scoring.areas.counts import move
from need_scoring.audit import repository as audit
from need_scoring.overrides import repository
from need_scoring.overrides.models import BandOverrideRow
from need_scoring.overrides.schemas import BandOverrideRequest
from need_scoring.scores.service import current_record
from need_scoring.scoring.engine import score_case
from need_scoring.stream.app import SOURCE, NeedStream


async def override_band(stream: NeedStream, sessions: sessionmaker[Session], case_id: str,
                        request: BandOverrideRequest, principal: Principal) -> CaseScored:
    decision = BandOverride(band=request.band, overridden_by=principal.name,
                            overridden_at=datetime.now(UTC), reason=request.reason)
    # Under the stream's lock from the first read to the last write: no batch can erase,
    # close or recount the case in between. The stream waits for one broker round trip.
    async with stream.state_lock:
        before = current_record(stream, case_id)  # 404, or 410 once erased
        assert before.facts is not None  # current_record guarantees it
        computed = score_case(stream.policy, before.facts)
        after = replace(before, band=request.band, override=decision.model_dump(mode="json"))
        scored = stream.processor.scored_event(case_id, after)
        session = sessions()
        try:
            repository.add(session, BandOverrideRow(
                case_id=case_id, band=request.band.value, computed_band=computed.band.value,
                policy_version=stream.policy.version, reason=request.reason,
                overridden_by=principal.name, overridden_at=decision.overridden_at))
            audit.record(session, principal, "override_band", case_id)
            await anyio.to_thread.run_sync(session.flush)
            try:
                ack = await stream.send(encode(scored, source=SOURCE))
                await asyncio.wait_for(ack, timeout=10)
            except Exception as exc:
                raise Problem(503, "Not recorded", "The override could not be published, "
                              "so it was not recorded; try again.",
                              slug="broker-unavailable") from exc
            await anyio.to_thread.run_sync(session.commit)
        finally:
            session.close()
        move(stream.buckets, before.footprint(), after.footprint())
        stream.cases[case_id] = after.to_json()
        stream.processor.overrides[case_id] = after.override or {}  # outlives policies
    stream.record_override(request.band)
    return scored
