"""Erasure reaches need scoring's database: an erased case's staff decisions go, with
their reasons, and the purposes in its audit log are replaced (SQLite and PostgreSQL);
and this happens even when the database is away at the moment of the erasure: the stream
keeps scoring and tries again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from civic.db import ServiceDatabase
from civic.http.auth import Principal, Role
from civic.reference import geography
from civic_testing import run_coroutine
from civic_testing.markers import marker
from need_scoring.audit import repository as audit
from need_scoring.database import schema
from need_scoring.metrics import ScoringMetrics
from need_scoring.overrides import repository as overrides
from need_scoring.overrides.models import OverrideDecision
from need_scoring.policy import load_policy
from need_scoring.settings import Settings
from need_scoring.stream.erasures import ERASED_TEXT, forget_erased
from need_scoring.stream.faust_app import NeedStream
from need_scoring.stream.processor import CaseProcessor


def test_a_failed_forget_is_tried_again_and_then_done_once(tmp_path: Path) -> None:
    """Seen to fail when the ids were dropped after a failed attempt (the override
    reasons of an erased case were then kept for good)."""
    settings = Settings(kafka_bootstrap_servers="127.0.0.1:9", data_dir=tmp_path / "faust")
    policy = load_policy(settings.policy_file)
    stream = NeedStream(settings, policy, CaseProcessor(policy, geography()),
                        "127.0.0.1:9", ScoringMetrics.create(), partitions=6)
    calls: list[list[str]] = []

    def forget(case_ids: list[str]) -> None:
        calls.append(case_ids)
        if len(calls) == 1:
            raise ConnectionError("the database is away")

    stream.on_erased = forget
    stream.unforgotten.update({"case-b", "case-a"})
    run_coroutine(stream.forget_erased())  # fails: kept for later
    run_coroutine(stream.forget_erased())  # succeeds
    run_coroutine(stream.forget_erased())  # nothing left to do
    assert calls == [["case-a", "case-b"], ["case-a", "case-b"]]


def test_an_erased_case_leaves_no_staff_words_in_the_database(database_url: str) -> None:
    """Mutations seen failing: ``forget_erased`` without ``audit.blank_purposes`` (the
    purpose stayed) and without ``overrides.delete_for_cases`` (the reason stayed)."""
    database = ServiceDatabase(schema(), database_url)
    database.migrate()
    erased, other = str(uuid.uuid4()), str(uuid.uuid4())
    staff = Principal(name="staff.t", role=Role.STAFF)
    with database.sessions.begin() as session:
        for case_id in (erased, other):
            overrides.add(session, OverrideDecision(
                case_id=case_id, band="urgent", computed_band="low", policy_version="p1",
                reason=marker("REASON"), overridden_by="staff.t",
                overridden_at=datetime.now(UTC), state="applied"))
            audit.record(session, staff, "read_score", case_id, ["band"], marker("PURPOSE"))
            audit.record(session, staff, "override_band", case_id, ["band"], "band override")

    forget_erased(database.sessions, [erased])
    forget_erased(database.sessions, [erased])  # again, as after a retry: no harm

    with database.sessions() as session:
        assert overrides.for_case(session, erased) == []
        assert [row.reason for row in overrides.for_case(session, other)] == [
            marker("REASON")]
        entries = {case_id: [(e.actor_id, e.action, e.purpose)
                             for e in audit.for_case(session, case_id)]
                   for case_id in (erased, other)}
    # who did what, and when, stays; why is replaced
    assert entries[erased] == [("staff.t", "read_score", ERASED_TEXT),
                               ("staff.t", "override_band", ERASED_TEXT)]
    assert entries[other] == [("staff.t", "read_score", marker("PURPOSE")),
                              ("staff.t", "override_band", "band override")]
    database.dispose()
