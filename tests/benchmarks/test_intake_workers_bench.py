"""The one-worker-against-two intake benchmark, run short: both layouts served the
requests they were sent without an error, and the report prints its figures."""

from __future__ import annotations

import pytest

from benchmarks import intake_workers

pytestmark = [pytest.mark.slow, pytest.mark.broker]


def test_the_workers_benchmark_measures_both_layouts(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(intake_workers, "SECONDS", 1.0)
    monkeypatch.setattr(intake_workers, "WARMUP", 0.5)
    results = intake_workers.run()
    for layout in ("one", "two"):
        assert results[layout]["rps"] > 0 and results[layout]["errors"] == 0, results[layout]
        assert results[layout]["p99_ms"] >= results[layout]["p50_ms"] > 0
    assert results["ratio"] == results["two"]["rps"] / results["one"]["rps"]
    intake_workers.report(results)
    assert "one uvicorn worker and then two" in capsys.readouterr().out
