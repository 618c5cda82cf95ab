"""Fixtures for need scoring: case events, a policy of one's own, the running service."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer

from civic.contracts.cases import CaseSubmitted
from civic.contracts.envelope import Envelope, decode
from civic.contracts.scoring import CaseScored
from civic.reference import geography
from civic_testing import LiveServer
from need_scoring.app import create_app
from need_scoring.settings import POLICIES, Settings

POLICY_FILE = POLICIES / "need-2026.11.yaml"
LSOA = "E01000947"  # Camden 024B, IMD 2019 decile 4


def make_case(**overrides: Any) -> CaseSubmitted:
    area = geography().areas[overrides.pop("lsoa_code", LSOA)]
    fields: dict[str, Any] = {
        "case_id": uuid.uuid4(), "submitted_at": datetime.now(UTC), "channel": "web",
        "categories": ["food"], "urgency": "today",
        "household": {"people": 1, "children": 0, "lives_alone": True,
                      "disability_or_long_term_condition": False,
                      "no_internet_access": False},
        "location": {"ward_code": area.ward_code, "lsoa_code": area.code, "resolved": True},
        "resident_key": None, "previous_contacts_12m": 0,
        "consent": {"lawful_basis": "public_task", "share_with_partners": False,
                    "terms_version": "2026-10"},
    }
    return CaseSubmitted.model_validate({**fields, **overrides})


@pytest.fixture
def policy_file(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the published policy under a version of this test's own, so its
    consumer group and tables start empty: policy_file(suffix, edit=...)."""
    def write(suffix: str | None = None, edit: Callable[[str], str] = lambda t: t) -> Path:
        version = f"need-2026.11-t{suffix or uuid.uuid4().hex[:8]}"
        text = POLICY_FILE.read_text().replace("version: need-2026.11", f"version: {version}")
        path = tmp_path / f"{version}.yaml"
        path.write_text(edit(text))
        return path
    return write


@pytest.fixture
def scoring_service(kafka_bootstrap: str, tmp_path: Path
                    ) -> Iterator[Callable[..., LiveServer]]:
    """scoring_service(policy_file) -> a running need scoring service (HTTP and stream)."""
    servers: list[LiveServer] = []

    def start(policy: Path, **settings: Any) -> LiveServer:
        settings.setdefault("database_url", f"sqlite:///{tmp_path}/scoring-{len(servers)}.db")
        settings.setdefault("area_publish_interval_s", 1.0)  # tests: a snapshot a second
        config = Settings(kafka_bootstrap_servers=kafka_bootstrap, policy_file=policy,
                          apply_topics=False, area_publish_seconds=1.0,
                          data_dir=tmp_path / f"faust-{len(servers)}", **settings)
        server = LiveServer(create_app(config)).__enter__()
        servers.append(server)
        return server

    yield start
    for server in reversed(servers):
        server.__exit__(None, None, None)


def read_events(bootstrap: str, topic: str, until: Callable[[list[Envelope]], bool],
                timeout_s: float = 30) -> list[Envelope]:
    """Decode events from the start of a topic until `until(events)` holds."""
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=500)
    events: list[Envelope] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and not until(events):
            for record in consumer:
                events.append(decode(record.headers, record.value, record.key))
    finally:
        consumer.close()
    return events


def scores_by_event_id(bootstrap: str, cases: list[Any],
                       timeout_s: float = 60) -> dict[str, dict[str, CaseScored]]:
    """case id -> {event id: score} on cases.scored, once every case has one."""
    wanted = {str(c.case_id) for c in cases}

    def mine(events: list[Envelope]) -> dict[str, dict[str, CaseScored]]:
        found: dict[str, dict[str, CaseScored]] = {}
        for e in events:
            if isinstance(e.payload, CaseScored) and str(e.payload.case_id) in wanted:
                found.setdefault(str(e.payload.case_id), {})[e.id] = e.payload
        return found

    return mine(read_events(bootstrap, "cases.scored", lambda evs: set(mine(evs)) == wanted,
                            timeout_s=timeout_s))
