"""The bodies partners receive: Standard Webhooks' ``{type, timestamp, data}``,
serialised once, so the text signed is the text sent. ``data`` holds the minimum a
partner needs to decide, and nothing about the person: contact details come only by
claiming the case at case intake."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from civic.contracts.scoring import AreaNeedChanged, Contribution
from partner_notifications.deliveries.models import KnownCase


def body(webhook_type: str, at: datetime, data: dict[str, Any]) -> str:
    return json.dumps({"type": webhook_type, "timestamp": at.isoformat().replace("+00:00", "Z"),
                       "data": data}, separators=(",", ":"), sort_keys=True)


def ping_body(subscription_id: uuid.UUID, at: datetime) -> str:
    return body("ping", at, {"subscription_id": str(subscription_id),
                             "message": "A test from partner notifications: your endpoint "
                             "is reachable and can check our signature."})


def case_data(case: KnownCase, claim_url: str) -> dict[str, Any]:
    """What a partner needs to decide whether to take a case on."""
    return {"case_ref": str(case.case_id), "ward": case.ward, "categories": case.categories,
            "band": case.band, "score": case.score, "reasons": case.reasons,
            "status": case.status, "claim_url": claim_url}


def reasons_summary(contributions: list[Contribution], most: int = 3) -> list[str]:
    """The reasons behind the largest contributions, as the policy words them (they are
    on cases.scored already, and describe the need, not the person)."""
    counted = sorted((c for c in contributions if c.points > 0), key=lambda c: -c.points)
    return [c.reason[:120] for c in counted[:most]]


def area_data(area: AreaNeedChanged) -> dict[str, Any]:
    """Suppressed figures as need scoring published them: a null stays null."""
    return {"ward": area.area_code, "window": area.window,
            "computed_at": area.computed_at.isoformat(), "open_cases": area.open_cases,
            "by_band": area.by_band.model_dump(), "need_index": area.need_index}
