"""Staff override a band: kept in the database, applied to open need, published.

The decision is written and published together: the database transaction commits only
once the broker has acknowledged the new scored event, so a failure leaves neither.
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
from need_scoring.stream.records import CaseRecord


async def override_band(stream: NeedStream, sessions: sessionmaker[Session], case_id: str,
                        request: BandOverrideRequest, principal: Principal) -> CaseScored:
    before = current_record(stream, case_id)
    assert before.facts is not None
    computed = score_case(stream.policy, before.facts)
    decision = BandOverride(band=request.band, overridden_by=principal.name,
                            overridden_at=datetime.now(UTC), reason=request.reason)
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
            raise Problem(503, "Not recorded", "The override could not be published, so it "
                          "was not recorded; try again.", slug="broker-unavailable") from exc
        await anyio.to_thread.run_sync(session.commit)
    finally:
        session.close()
    stream.processor.overrides[case_id] = decision.model_dump(mode="json")  # outlives policies
    async with stream.state_lock:
        # Re-read: the stream may have changed the case (a status, an erasure) meanwhile.
        current = CaseRecord.from_json(stream.cases.get(case_id))
        if not current.erased:
            changed = replace(current, band=request.band, override=decision.model_dump(mode="json"))
            move(stream.buckets, current.footprint(), changed.footprint())
            stream.cases[case_id] = changed.to_json()
    stream.record_override(request.band)
    return scored
