"""Events from partner notifications: the partner directory and the webhook delivery
audit.

The directory is how one partner key works across the platform. Partner notifications
registers partners and issues their keys; each change publishes the partner's whole
record on the compacted ``partners.directory``, keyed by partner id, and every service
that admits partner keys follows that topic (``civic.http.directory``). The record holds
what a service needs to admit a key and scope it: the SHA-256 of each live key (never
the key) and the wards and categories covered. The organisation's name and contact stay
in partner notifications' database.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from civic.contracts.base import EventPayload
from civic.contracts.common import ActorId, Category

PARTNER_ID_PATTERN = r"^partner\.[a-z0-9][a-z0-9-]{0,54}$"
KEY_HASH_PATTERN = r"^[0-9a-f]{64}$"
WARD_PATTERN = r"^E05\d{6}$"


class PartnerDirectoryEntry(EventPayload):
    event_type: ClassVar[str] = "civic.partner.directory_entry.v1"
    topic: ClassVar[str] = "partners.directory"
    key_field: ClassVar[str] = "partner_id"
    summary: ClassVar[str] = ("A partner's current directory record: its live key hashes "
                              "and its coverage. The last record per partner is the truth.")

    partner_id: str = Field(pattern=PARTNER_ID_PATTERN,
                            description="The partner's actor id, e.g. partner.foodbank.")
    revision: int = Field(ge=1, description="One more with each change; a reader keeps "
                          "the highest it has seen per partner.")
    key_hashes: list[Annotated[str, Field(pattern=KEY_HASH_PATTERN)]] = Field(
        default_factory=list, max_length=4,
        description="SHA-256 (hex) of each live key; empty when the key is revoked.")
    wards: list[Annotated[str, Field(pattern=WARD_PATTERN)]] = Field(
        default_factory=list, max_length=100, description="ONS ward codes it covers.")
    categories: list[Category] = Field(default_factory=list, max_length=30,
                                       description="Case categories it serves.")
    active: bool = Field(description="False once the partner is deactivated: no key works.")
    changed_at: datetime


class EndpointDisabledReason(StrEnum):
    GONE = "gone"
    FAILING = "failing"


class DeliveryOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEAD_LETTERED = "dead_lettered"


class DeliveryAttempted(EventPayload):
    event_type: ClassVar[str] = "civic.partner.delivery_attempted.v1"
    topic: ClassVar[str] = "partners.deliveries"
    key_field: ClassVar[str] = "subscription_id"
    summary: ClassVar[str] = "One attempt to deliver a signed webhook to a partner."

    delivery_id: UUID
    subscription_id: UUID
    partner_id: ActorId
    event_id: str = Field(max_length=64, description="Id of the event being delivered.")
    delivered_event_type: str = Field(max_length=80)
    attempt: int = Field(ge=1)
    attempted_at: datetime
    outcome: DeliveryOutcome
    http_status: int | None = Field(default=None, ge=100, le=599)
    duration_ms: int = Field(ge=0)
    next_attempt_at: datetime | None = None
    error: str | None = Field(default=None, max_length=200)


class EndpointDisabled(EventPayload):
    event_type: ClassVar[str] = "civic.partner.endpoint_disabled.v1"
    topic: ClassVar[str] = "partners.deliveries"
    key_field: ClassVar[str] = "subscription_id"
    summary: ClassVar[str] = ("A partner's webhook endpoint was disabled: it answered 410 "
                              "Gone, or failed every attempt for the configured period. "
                              "Ops tell the partner (its contact stays in partner "
                              "notifications); the partner can re-enable it.")

    subscription_id: UUID
    partner_id: ActorId
    reason: EndpointDisabledReason
    disabled_at: datetime
    failing_since: datetime | None = None
