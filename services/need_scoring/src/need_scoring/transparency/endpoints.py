"""GET /v1/transparency-record: the ATRS record, built from the live policy now."""

from __future__ import annotations

from fastapi import APIRouter

from civic.http.problems import PROBLEM_RESPONSES
from need_scoring.dependencies import Stream, Words
from need_scoring.transparency.record import build_record
from need_scoring.transparency.schemas import TransparencyRecord

router = APIRouter(prefix="/v1", tags=["transparency"], responses=PROBLEM_RESPONSES)


@router.get("/transparency-record", response_model=TransparencyRecord,
            summary="Algorithmic Transparency Recording Standard record (Tier 1 and 2)")
def get_transparency_record(stream: Stream, words: Words) -> TransparencyRecord:
    return build_record(stream.policy, stream.settings, words,
                        stream.scored_total, stream.overrides_total)
