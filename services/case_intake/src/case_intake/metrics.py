"""Case intake's business metrics. Labels are channels, categories and statuses only."""

from __future__ import annotations

from civic.observability import counter

PREFIX = "civic_case_intake"


class IntakeMetrics:
    def __init__(self) -> None:
        self.created = counter(f"{PREFIX}_cases_created_total", "Cases accepted, by channel.",
                               ["channel"])
        self.by_category = counter(f"{PREFIX}_cases_by_category_total",
                                   "Cases accepted, by category of need (a case may have several).",
                                   ["category"])
        self.unplaced = counter(f"{PREFIX}_cases_location_unresolved_total",
                                "Cases whose location staff must place by hand.")
        self.transitions = counter(f"{PREFIX}_status_changes_total",
                                   "Status changes, by new status.", ["to_status"])
        self.placed = counter(f"{PREFIX}_cases_placed_total",
                              "Cases placed by staff: an unplaced address placed, or a "
                              "placement corrected.", ["kind"])

    def case_created(self, channel: str, categories: list[str], *, resolved: bool) -> None:
        self.created.labels(channel).inc()
        for category in categories:
            self.by_category.labels(category).inc()
        if not resolved:
            self.unplaced.inc()

    def status_changed(self, to_status: str) -> None:
        self.transitions.labels(to_status).inc()

    def case_placed(self, *, correction: bool) -> None:
        self.placed.labels("correction" if correction else "unplaced").inc()
