"""Open need through the running service: counts per area over the real broker, small
numbers withheld in what is served and published, and cases leaving open need when they
are withdrawn, resolved or erased."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from civic.contracts.cases import CaseErased, CaseStatusChanged
from civic.contracts.envelope import encode
from civic.contracts.scoring import AreaNeedChanged
from civic.kafka.producer import EventProducer
from civic_testing import LiveServer, wait_for_area_need

from ..conftest import make_case, read_events

pytestmark = [pytest.mark.broker, pytest.mark.slow]

# A ward no other test files cases in, so its counts are this test's alone.
BUSY, QUIET, WARD = "E01000850", "E01000851", "E05000129"


def lsoa_need(server: LiveServer, code: str, level: str = "lsoa",
              until: Callable[[dict[str, Any]], bool] = lambda _p: True,
              timeout_s: float = 30) -> dict[str, Any]:
    return wait_for_area_need(server.url, code, level=level, until=until,
                              timeout_s=timeout_s)


def test_open_need_is_counted_suppressed_and_follows_the_lifecycle(
        kafka_bootstrap: str, policy_file: Callable[..., Path],
        scoring_service: Callable[..., LiveServer]) -> None:
    server = scoring_service(policy_file())
    busy = [make_case(lsoa_code=BUSY, categories=["food"], urgency="can_wait")
            for _ in range(12)]
    quiet = [make_case(lsoa_code=QUIET, categories=["food"]) for _ in range(3)]
    producer = EventProducer(kafka_bootstrap, client_id="test")
    assert all(producer.send_all([encode(c, source="urn:test") for c in busy + quiet]))

    need = lsoa_need(server, BUSY, until=lambda p: p["open_cases"] == 12)
    assert need["by_category"]["food"] == 12
    assert need["by_category"]["medicine"] is None  # zero is below k too
    assert lsoa_need(server, QUIET)["open_cases"] is None, "3 cases must not be shown"
    ward = lsoa_need(server, WARD, level="ward")
    assert ward["open_cases"] in (None, 15)  # what suppression chooses is unit-tested

    for path, params, wrong in (
            ("/v1/areas/need", {"level": "county"}, "level"),
            ("/v1/areas/need", {"window": "1y"}, "window"),
            ("/map", {"category": "pets"}, "pets"),
            ("/map", {"window": "90d"}, "window")):
        refused = httpx.get(f"{server.url}{path}", params=params)
        assert refused.status_code == 422, (path, params)
        assert refused.headers["content-type"] == "application/problem+json"
        assert wrong in refused.text

    now = datetime.now(UTC)
    leaving = [CaseStatusChanged(case_id=busy[0].case_id, from_status="submitted",
                                 to_status="withdrawn", changed_at=now, actor_role="staff"),
               CaseStatusChanged(case_id=busy[1].case_id, from_status="submitted",
                                 to_status="resolved", changed_at=now, actor_role="partner"),
               CaseErased(case_id=busy[2].case_id, erased_at=now)]
    assert all(producer.send_all([encode(e, source="urn:test") for e in leaving]))
    producer.close()
    # 9 open cases now: below k, so the area's count is withheld.
    lsoa_need(server, BUSY, until=lambda p: p["open_cases"] is None)

    published = read_events(kafka_bootstrap, "areas.need", lambda evs: any(
        e.payload.area_key == f"lsoa:{BUSY}:7d" and e.payload.open_cases is None  # type: ignore[attr-defined]
        for e in evs))
    mine = [e.payload for e in published if isinstance(e.payload, AreaNeedChanged)
            and e.payload.area_key == f"lsoa:{BUSY}:7d"]
    assert [p.open_cases for p in mine][-1] is None
    assert 12 in [p.open_cases for p in mine]
    for payload in (e.payload for e in published):
        assert isinstance(payload, AreaNeedChanged)
        counts = [payload.open_cases, *payload.by_band.model_dump().values(),
                  *payload.by_category.values()]
        assert all(n is None or n >= payload.suppression_threshold for n in counts)
