"""Erased cases' staff decisions leave the database even when the database is away at
the moment of the erasure: the stream keeps scoring and tries again."""

from __future__ import annotations

from pathlib import Path

from civic.reference import geography
from civic_testing import run_coroutine
from need_scoring.metrics import ScoringMetrics
from need_scoring.policy import load_policy
from need_scoring.settings import Settings
from need_scoring.stream.faust_app import NeedStream
from need_scoring.stream.processor import CaseProcessor


def test_a_failed_forget_is_tried_again_and_then_done_once(tmp_path: Path) -> None:
    """Seen to fail when the ids were dropped after a failed attempt (the override
    reasons of an erased case were then kept for good)."""
    settings = Settings(kafka_bootstrap_servers="127.0.0.1:9", data_dir=tmp_path / "faust")
    policy = load_policy(settings.policy_file)
    stream = NeedStream(settings, policy, CaseProcessor(policy, geography()),
                        "127.0.0.1:9", ScoringMetrics.create())
    calls: list[list[str]] = []

    def forget(case_ids: list[str]) -> None:
        calls.append(case_ids)
        if len(calls) == 1:
            raise ConnectionError("the database is away")

    stream.on_erased = forget
    stream._unforgotten.update({"case-b", "case-a"})
    run_coroutine(stream.forget_erased())  # fails: kept for later
    run_coroutine(stream.forget_erased())  # succeeds
    run_coroutine(stream.forget_erased())  # nothing left to do
    assert calls == [["case-a", "case-b"], ["case-a", "case-b"]]
