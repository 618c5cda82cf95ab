"""Partner notifications' business metrics. Labels are kinds of change and outcomes
only: never a partner, a subscription or anything about a resident."""

from __future__ import annotations

from civic.observability import counter

PREFIX = "civic_partner_notifications"


class PartnerMetrics:
    def __init__(self) -> None:
        self.key_changes = counter(f"{PREFIX}_key_changes_total",
                                   "Partner keys issued (first or rotated) and revoked; a "
                                   "burst of revocations is worth a look.", ["change"])
