"""The in-memory view every redirect answers from.

Mutations seen to fail: ``>`` for ``>=`` in the revision check (an old revision read back
from qr.codes undid a newer change), and ignoring ``switch_at``."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from civic.contracts.qr import ScanOutcome, TouchpointKind
from qr_events.codes.view import CodeState, CodeView

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
STATE = CodeState(code_id=uuid.uuid4(), short_code="CAMDENW", revision=1,
                  destination_url="https://www.camden.gov.uk/a", scheduled_url=None,
                  switch_at=None, valid_from=None, valid_until=None, retired=False,
                  replacement=None, touchpoint=TouchpointKind.POSTER, campaign="c",
                  ward="E05000139")


def test_a_scheduled_switch_happens_at_its_time_with_no_event() -> None:
    view = CodeView()
    view.apply(replace(STATE, scheduled_url="https://www.camden.gov.uk/b",
                       switch_at=NOW + timedelta(hours=1)))
    assert view.resolve("CAMDENW", NOW).location == "https://www.camden.gov.uk/a"
    assert view.resolve("CAMDENW", NOW + timedelta(hours=1)).location == \
        "https://www.camden.gov.uk/b"


def test_the_highest_revision_wins_whatever_the_order() -> None:
    view = CodeView()
    newer = replace(STATE, revision=3, destination_url="https://www.camden.gov.uk/new")
    assert view.apply(newer)
    assert not view.apply(replace(STATE, revision=2))
    assert not view.apply(replace(newer, destination_url="https://x.camden.gov.uk/"))
    assert view.resolve("CAMDENW", NOW).location == "https://www.camden.gov.uk/new"


def test_outcomes_retired_before_expired_before_not_yet_valid() -> None:
    view = CodeView()
    view.apply(replace(STATE, valid_from=NOW + timedelta(days=1)))
    assert view.resolve("CAMDENW", NOW).outcome is ScanOutcome.NOT_YET_VALID
    view.apply(replace(STATE, revision=2, valid_until=NOW))
    assert view.resolve("CAMDENW", NOW).outcome is ScanOutcome.EXPIRED
    view.apply(replace(STATE, revision=3, valid_until=NOW, retired=True))
    found = view.resolve("CAMDENW", NOW)
    assert found.outcome is ScanOutcome.RETIRED and found.location is None
    assert view.resolve("NOSUCH7", NOW).outcome is ScanOutcome.UNKNOWN
    assert view.resolve(None, NOW).outcome is ScanOutcome.UNKNOWN
