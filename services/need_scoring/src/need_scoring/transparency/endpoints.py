"""GET /v1/transparency-record: the ATRS record, built from the live policy now."""

from __future__ import annotations

from fastapi import APIRouter, Request

from need_scoring.transparency.record import TransparencyRecord, build_record

router = APIRouter(tags=["transparency"])


@router.get("/v1/transparency-record", response_model=TransparencyRecord,
            summary="Algorithmic Transparency Recording Standard record (Tier 1 and 2)")
def get_transparency_record(request: Request) -> TransparencyRecord:
    stream = request.app.state.stream
    return build_record(stream.policy, stream.settings, request.app.state.council_words,
                        stream.scored_total, stream.overrides_total)
