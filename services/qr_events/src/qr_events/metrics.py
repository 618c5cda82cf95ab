"""QR events' business metrics. Labels are outcomes, vias and device classes only:
never a code, a campaign or anything about a person."""

from __future__ import annotations

from collections.abc import Callable

from civic.contracts.qr import QrScanned, ScanOutcome
from civic.observability import counter, gauge, histogram

PREFIX = "civic_qr_events"
# A redirect answers from memory: its buckets are fine-grained below 10 ms.
REDIRECT_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


class ScanMetrics:
    def __init__(self) -> None:
        self.scans = counter(f"{PREFIX}_scans_total", "Scans written, by outcome, via (scanned "
                             "or typed) and device class (bots apart); repeats included.",
                             ["outcome", "via", "device_class"])
        self.repeats = counter(f"{PREFIX}_repeat_scans_total",
                               "Scans of a code by the same device within the hour, counted "
                               "once in the statistics.")
        self.orphans = counter(f"{PREFIX}_orphan_scans_total",
                               "Scans of codes this service never made: typos, or fake "
                               "stickers (alert on device_class!=bot).",
                               ["via", "device_class"])
        self.redirect_seconds = histogram(f"{PREFIX}_redirect_seconds",
                                          "Time to answer GET /q/{code}, by outcome.",
                                          ["outcome"], buckets=REDIRECT_BUCKETS)
        self.unsaved = gauge(f"{PREFIX}_scans_unsaved",
                             "Scans answered but not yet written to the database: what a "
                             "hard crash would lose now.")
        self.cache_age = gauge(f"{PREFIX}_code_cache_age_seconds",
                               "Seconds since this worker's view of the codes was last known "
                               "current with qr.codes.")
        self.codes_served = gauge(f"{PREFIX}_codes_served",
                                  "Codes in this worker's view.")
        self.unwritable = counter(f"{PREFIX}_scans_unwritable_total",
                                  "Scans dropped because they could not be written while the "
                                  "database answered: a defect, never an outage.")
        self.dropped = counter(f"{PREFIX}_scans_dropped_total",
                               "Scans answered but not recorded because the database was "
                               "a whole buffer behind for 2 s: an outage to look at.")
        self.conversions = counter(f"{PREFIX}_conversions_total",
                                   "Cases filed from a code's link (cases.submitted).")

    def scanned(self, event: QrScanned) -> None:
        self.scans.labels(event.outcome.value, event.via.value, event.device_class.value).inc()
        if event.repeat:
            self.repeats.inc()
        if event.outcome is ScanOutcome.UNKNOWN:
            self.orphans.labels(event.via.value, event.device_class.value).inc()

    def watch(self, *, unsaved: Callable[[], float], cache_age: Callable[[], float],
              codes: Callable[[], float]) -> None:
        self.unsaved.set_function(unsaved)
        self.cache_age.set_function(cache_age)
        self.codes_served.set_function(codes)
