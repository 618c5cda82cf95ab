"""A code row as the event every worker's view is built from (and ``qr.codes`` holds)."""

from __future__ import annotations

from civic.contracts.qr import CodeChange, QrCodeChanged, TouchpointKind
from qr_events.codes.destinations import Destinations
from qr_events.codes.models import Code


def code_changed(code: Code, change: CodeChange, destinations: Destinations) -> QrCodeChanged:
    scheduled = (destinations.resolve(code.scheduled_kind, code.scheduled_url, code.short_code)
                 if code.scheduled_kind else None)
    return QrCodeChanged.model_validate({
        "code_id": code.id, "short_code": code.short_code, "revision": code.revision,
        "change": change, "changed_at": code.updated_at,
        "destination_url": destinations.resolve(code.destination_kind, code.destination_url,
                                                code.short_code),
        "scheduled_destination_url": scheduled,
        "switch_at": code.switch_at if scheduled else None,
        "valid_from": code.valid_from, "valid_until": code.valid_until,
        "retired": code.retired_at is not None,
        "replacement_short_code": code.replacement_code,
        "touchpoint": TouchpointKind(code.touchpoint), "campaign": code.campaign,
        "print_batch": code.print_batch, "ward": code.ward})
