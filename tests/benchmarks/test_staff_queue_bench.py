"""The staff queue benchmark, run small: each walk made its requests, and paging deep
followed the next links through distinct pages (on the queue and on the JSON list), so
its figures are about pages actually served."""

from __future__ import annotations

import pytest

from benchmarks import staff_queue

pytestmark = pytest.mark.slow


def test_the_queue_benchmark_pages_through_distinct_pages(
        capsys: pytest.CaptureFixture[str]) -> None:
    results = staff_queue.run(cases=600, pages=8, closed=100)
    for walk in ("first_page", "paging_deep", "filtered", "no_match"):
        for side in ("queue", "json_list"):
            assert results[walk][side]["requests"] == 8
            assert results[walk][side]["p99_ms"] >= results[walk][side]["p50_ms"] > 0
    assert results["paging_deep"]["queue"]["pages_seen"] == 8
    assert results["paging_deep"]["json_list"]["pages_seen"] == 8
    assert results["first_page"]["queue"]["pages_seen"] == 1
    staff_queue.report(results)
    assert "Staff queue page vs the JSON case list" in capsys.readouterr().out
