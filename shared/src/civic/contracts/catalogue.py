"""Every event type on the bus, and the topics they travel on."""

from __future__ import annotations

from civic.contracts.base import EventPayload
from civic.contracts.cases import CaseErased, CasePlaced, CaseStatusChanged, CaseSubmitted
from civic.contracts.partners import DeliveryAttempted, EndpointDisabled, PartnerDirectoryEntry
from civic.contracts.qr import QrCodeChanged, QrScanned
from civic.contracts.scoring import AreaNeedChanged, CaseScored, CaseScoredV1

EVENT_TYPES: tuple[type[EventPayload], ...] = (
    CaseSubmitted,
    CaseStatusChanged,
    CasePlaced,
    CaseErased,
    CaseScored,
    CaseScoredV1,  # retired: readable, no longer published
    AreaNeedChanged,
    QrCodeChanged,
    QrScanned,
    PartnerDirectoryEntry,
    DeliveryAttempted,
    EndpointDisabled,
)

BY_TYPE: dict[str, type[EventPayload]] = {t.event_type: t for t in EVENT_TYPES}


class UnknownEventType(LookupError):
    def __init__(self, event_type: str) -> None:
        super().__init__(
            f"unknown event type {event_type!r}; known types: {', '.join(sorted(BY_TYPE))}"
        )
        self.event_type = event_type


def payload_class(event_type: str) -> type[EventPayload]:
    try:
        return BY_TYPE[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def types_on(topic: str) -> list[type[EventPayload]]:
    return [t for t in EVENT_TYPES if t.topic == topic]
