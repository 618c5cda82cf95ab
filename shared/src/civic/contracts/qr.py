"""Events from QR events: codes (compacted) and scans."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from civic.contracts.base import EventPayload


class TouchpointKind(StrEnum):
    POSTER = "poster"
    LETTER = "letter"
    LEAFLET = "leaflet"
    VENUE = "venue"
    OTHER = "other"


class CodeStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    RETIRED = "retired"


class Touchpoint(BaseModel):
    """The printed thing a code sits on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: TouchpointKind
    campaign: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    placement: str | None = Field(default=None, max_length=80)


class QrCodeChanged(EventPayload):
    event_type: ClassVar[str] = "civic.qr.code_changed.v1"
    topic: ClassVar[str] = "qr.codes"
    key_field: ClassVar[str] = "code_id"
    summary: ClassVar[str] = "A QR code was created, re-pointed, expired or retired."

    code_id: UUID
    short_code: str = Field(pattern=r"^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4,12}$")
    destination_url: AnyHttpUrl
    touchpoint: Touchpoint
    status: CodeStatus
    expires_at: datetime | None = None
    changed_at: datetime


class QrScanned(EventPayload):
    event_type: ClassVar[str] = "civic.qr.scanned.v1"
    topic: ClassVar[str] = "qr.scans"
    key_field: ClassVar[str] = "code_id"
    summary: ClassVar[str] = (
        "A printed code was scanned. No IP address, user agent or other personal data."
    )

    scan_id: UUID
    code_id: UUID
    scanned_at: datetime
    touchpoint: Touchpoint
    code_status: CodeStatus
    likely_bot: bool = Field(description="Link previews and crawlers, flagged not dropped.")
