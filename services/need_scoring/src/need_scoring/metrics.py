"""Need scoring's business metrics; Kafka metrics come from civic.kafka.metrics."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram

from civic.kafka.metrics import KafkaMetrics
from civic.observability import counter, gauge, histogram, metric_prefix
from need_scoring import IDENTITY

SERVICE = IDENTITY.name


@dataclass(frozen=True)
class ScoringMetrics:
    kafka: KafkaMetrics
    scores: Counter
    latency: Histogram
    overrides: Counter
    override_rate: Gauge
    area_publish_seconds: Histogram
    stale_events: Counter
    batch_failures: Counter
    assigned_partitions: Gauge
    area_owner: Gauge

    @classmethod
    def create(cls) -> ScoringMetrics:
        p = metric_prefix(SERVICE)
        return cls(
            kafka=KafkaMetrics.for_service(SERVICE),
            scores=counter(f"{p}_scores_total", "Scores published, by band and policy.",
                           ["band", "policy_version"]),
            latency=histogram(f"{p}_scoring_latency_seconds",
                              "From the case event's time to its score being published.",
                              buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)),
            overrides=counter(f"{p}_band_overrides_total",
                              "Bands changed by staff, by the new band.", ["band"]),
            override_rate=gauge(f"{p}_band_override_ratio",
                                "Band overrides as a share of scores published by this process."),
            area_publish_seconds=histogram(
                f"{p}_area_need_compute_seconds",
                "Time to compute, suppress and publish area need for all windows."),
            stale_events=counter(
                f"{p}_stale_events_ignored_total",
                "Case events ignored because the case had reached their version already "
                "(late or replayed), by event type.", ["event_type"]),
            batch_failures=counter(
                f"{p}_batch_failures_total",
                "Batches whose handling failed unexpectedly and was tried again; their "
                "offsets stay unacknowledged until their outputs are."),
            assigned_partitions=gauge(
                f"{p}_assigned_case_partitions",
                "Case partitions this worker scores now (of cases.submitted); across the "
                "group they add up to the topic's partitions."),
            area_owner=gauge(
                f"{p}_area_owner",
                "1 on the one worker that counts and publishes area need now, else 0; "
                "across the group exactly one."),
        )
