"""Partner notifications' business metrics. Labels are kinds of change and outcomes
only: never a partner, a subscription or anything about a resident."""

from __future__ import annotations

import time
from collections.abc import Callable

from civic.observability import counter, gauge, histogram

PREFIX = "civic_partner_notifications"
ATTEMPT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0)


class PartnerMetrics:
    def __init__(self) -> None:
        self.key_changes = counter(f"{PREFIX}_key_changes_total",
                                   "Partner keys issued (first or rotated) and revoked; a "
                                   "burst of revocations is worth a look.", ["change"])


class DeliveryMetrics:
    def __init__(self) -> None:
        self.attempts = counter(f"{PREFIX}_delivery_attempts_total",
                                "Delivery attempts, by outcome (succeeded, failed, "
                                "dead_lettered).", ["outcome"])
        self.attempt_seconds = histogram(f"{PREFIX}_delivery_attempt_seconds",
                                         "Time from sending a webhook to its answer (or to "
                                         "giving up), by outcome.", ["outcome"],
                                         buckets=ATTEMPT_BUCKETS)
        self.dead_letters = counter(f"{PREFIX}_dead_letters_total",
                                    "Deliveries whose every attempt failed.")
        self.disabled = counter(f"{PREFIX}_endpoints_disabled_total",
                                "Endpoints disabled, by reason (gone: a 410; failing: "
                                "auto-disabled).", ["reason"])
        self.lease_lost = counter(f"{PREFIX}_leases_lost_total",
                                  "Attempts whose outcome came after another worker took "
                                  "the delivery over (sent twice, under one id).")
        self.backlog = gauge(f"{PREFIX}_retry_backlog",
                             "Pending deliveries: due now, or waiting for a later attempt.",
                             ["due"])
        self.endpoints = gauge(f"{PREFIX}_endpoints",
                               "Subscriptions' endpoints by state: disabled, or with their "
                               "circuit open.", ["state"])

    def watch(self, figures: Callable[[], dict[str, int]]) -> None:
        """``figures``: due, later, disabled, circuit_open; read once a second at most,
        and NaN while it fails (a database outage must not take /metrics down with it)."""
        cache: dict[str, float] = {}

        def read(name: str) -> float:
            if time.monotonic() - cache.get("_at", -10.0) > 1.0:
                try:
                    cache.update({k: float(v) for k, v in figures().items()})
                except Exception:
                    cache.update(dict.fromkeys(("due", "later", "disabled", "circuit_open"),
                                               float("nan")))
                cache["_at"] = time.monotonic()
            return cache.get(name, float("nan"))

        self.backlog.labels("now").set_function(lambda: read("due"))
        self.backlog.labels("later").set_function(lambda: read("later"))
        self.endpoints.labels("disabled").set_function(lambda: read("disabled"))
        self.endpoints.labels("circuit_open").set_function(lambda: read("circuit_open"))
