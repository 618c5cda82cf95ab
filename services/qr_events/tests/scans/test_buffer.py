"""The buffer bounds what a hard crash can lose: scans answered but unsaved never
exceed its capacity. Mutation seen to fail: not counting in-flight scans as unsaved."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from civic.contracts.qr import ScanOutcome, ScanVia
from qr_events.scans.buffer import PendingScan, ScanBuffer


def scan() -> PendingScan:
    return PendingScan(scan_id=uuid.uuid4(), at=datetime.now(UTC),
                       outcome=ScanOutcome.UNKNOWN, via=ScanVia.TYPED, state=None,
                       well_formed_code=None, method="GET", client="1", user_agent="a")


def test_no_more_than_capacity_is_ever_unsaved() -> None:
    buffer = ScanBuffer(capacity=3)
    assert all(buffer.offer(scan()) for _ in range(3))
    assert not buffer.offer(scan())
    batch = buffer.take()  # being written: still unsaved
    assert len(batch) == 3 and buffer.unsaved == 3
    assert not buffer.offer(scan())
    buffer.done(len(batch))
    assert buffer.offer(scan()) and buffer.unsaved == 1
