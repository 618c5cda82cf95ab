"""The bodies partners receive: Standard Webhooks' ``{type, timestamp, data}``,
serialised once, so the text signed is the text sent. ``data`` holds the minimum a
partner needs to decide, and nothing about the person: contact details come only by
claiming the case at case intake."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any


def body(webhook_type: str, at: datetime, data: dict[str, Any]) -> str:
    return json.dumps({"type": webhook_type, "timestamp": at.isoformat().replace("+00:00", "Z"),
                       "data": data}, separators=(",", ":"), sort_keys=True)


def ping_body(subscription_id: uuid.UUID, at: datetime) -> str:
    return body("ping", at, {"subscription_id": str(subscription_id),
                             "message": "A test from partner notifications: your endpoint "
                             "is reachable and can check our signature."})
