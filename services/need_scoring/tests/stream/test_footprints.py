"""Footprints travel a few records a batch, and come out as they went in."""

from __future__ import annotations

import json
from datetime import date

import pytest

from civic.contracts.cases import Category
from civic.contracts.scoring import Band
from need_scoring.areas.counts import Footprint
from need_scoring.stream.footprints import PER_RECORD, FootprintOutbox, FootprintTold, parse

TOPIC = "need-scoring.test-footprints"


def test_a_batch_s_footprints_go_in_few_records_newest_per_case_and_come_back_whole() -> None:
    outbox = FootprintOutbox()
    footprint = Footprint("E01000907", date(2026, 11, 20), Band.HIGH, (Category.FOOD,))
    for n in range(PER_RECORD + 10):
        outbox.changed(f"case-{n}", 1, footprint)
    outbox.changed("case-0", 2, None)  # closed later in the same batch: only this is told
    records = outbox.records(TOPIC)
    assert [len(json.loads(r.value)["told"]) for r in records] == [PER_RECORD, 10]
    told = [t for r in records for t in parse(r.value)]
    assert told[0] == FootprintTold("case-0", 2, None)
    assert told[1:] == [FootprintTold(f"case-{n}", 1, footprint)
                        for n in range(1, PER_RECORD + 10)]


@pytest.mark.parametrize("value", [None, b"{}", b'{"told": [["", 1, null]]}',
                                   b'{"told": [["case", "x", null]]}', b"not json"])
def test_a_record_this_service_did_not_write_is_refused(value: bytes | None) -> None:
    with pytest.raises((KeyError, ValueError, TypeError)):
        parse(value)
