"""Kafka metrics every service exposes: produced, consumed, failed, dead-lettered, lag,
and the errors a consumer loop survived."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter, Gauge

from civic.observability import counter, gauge, metric_prefix


@dataclass(frozen=True)
class KafkaMetrics:
    produced: Counter
    publish_failures: Counter
    consumed: Counter
    failed: Counter
    dead_lettered: Counter
    duplicates: Counter
    lag: Gauge
    loop_errors: Counter

    @classmethod
    def for_service(cls, service: str) -> KafkaMetrics:
        p = metric_prefix(service)
        return cls(
            produced=counter(f"{p}_events_produced_total", "Events acknowledged by the broker.",
                             ["topic"]),
            publish_failures=counter(f"{p}_publish_failures_total",
                                     "Events the broker did not acknowledge (will be retried).",
                                     ["topic"]),
            consumed=counter(f"{p}_events_consumed_total", "Events processed successfully.",
                             ["topic"]),
            failed=counter(f"{p}_events_failed_total",
                           "Processing attempts that raised, by topic and error class.",
                           ["topic", "error"]),
            dead_lettered=counter(f"{p}_events_dead_lettered_total",
                                  "Messages sent to <topic>.dlq.", ["topic"]),
            duplicates=counter(f"{p}_events_duplicate_total",
                               "Events skipped because their id was already processed.",
                               ["topic"]),
            lag=gauge(f"{p}_consumer_lag", "Messages behind the partition's high watermark.",
                      ["topic", "partition"]),
            loop_errors=counter(f"{p}_consumer_loop_errors_total",
                                "Errors the consumer loop survived: a record it could not "
                                "finish (it is redelivered) or a failed poll or commit; "
                                "topic is empty when the error was not tied to a record.",
                                ["topic", "error"]),
        )
