"""The webhook delivery benchmark, run small: every delivery it times reached the
receiver and was recorded as delivered, exactly once, on each path it measures, so its
figures are about work that was done. PostgreSQL is left to the benchmark itself."""

from __future__ import annotations

import pytest

from benchmarks import partner_webhooks

pytestmark = pytest.mark.slow


def test_the_webhook_benchmark_counts_only_work_done(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    results = partner_webhooks.run(deliveries=60, backlog=300, rate=40, seconds=1.0,
                                   drain_s=60, postgres=False)

    flows = results["throughput"]
    assert set(flows) == {"raw", "sqlite"}
    assert flows["raw"]["receiver_count"] == 60
    sqlite = flows["sqlite"]
    assert sqlite["receiver_count"] == sqlite["delivered_rows"] == 60
    assert sqlite["failed_attempts"] == 0
    assert sqlite["outbox_rows"] == 60 + partner_webhooks.WARMUP  # one event per attempt
    assert sqlite["deliveries_per_s"] > 0 and sqlite["ratio"] > 0

    isolation = results["isolation"]
    healthy, failing = isolation["all_healthy"], isolation["with_failing"]
    assert healthy["made"] == healthy["healthy"] == healthy["arrived"] >= 30
    # round-robin from the first subscription, which hangs; the second answers 500
    assert failing["arrived"] == failing["healthy"] == sum(
        i % 20 >= 2 for i in range(failing["made"]))
    assert failing["receiver_counts"]["fail"] >= 1 and failing["receiver_counts"]["hang"] >= 1
    assert failing["failed_attempts"] >= 2 and healthy["failed_attempts"] == 0
    assert 0 < healthy["p50_ms"] <= healthy["p99_ms"] <= healthy["max_ms"]
    assert isolation["p99_ratio"] > 0

    scale = results["scale"]
    assert scale["drained_all"] and scale["drained"] == scale["receiver_count"] == 300
    assert scale["left_pending"] == 0
    assert scale["db_mb_before"] > 0 and scale["rss_growth_mb"] >= 0

    partner_webhooks.report(results)
    assert "ratio" in capsys.readouterr().out
