"""Events from QR events: codes (compacted) and scans.

A code identifies a print run, never a person. A scan carries what the printed
touchpoint says about itself and what happened, and nothing about who scanned: no IP
address, user agent, cookie or device identifier, and no free text (a venue's name stays
in QR events' database). Every string field is an enum, a slug, a code or a URL built
by QR events from an allow-listed destination.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AnyHttpUrl, Field

from civic.contracts.base import EventPayload

# No look-alikes: no 0/O, 1/I/L, 5/S, 2/Z, and none of B/8, G/6, U/V either. 23 symbols,
# a prime, so a weighted check character catches every single error and every swap of
# neighbours (qr_events.codes.identifiers). Codes are 6 to 8 characters, the last a check.
CODE_ALPHABET = "346789ACDEFHJKMNPQRTWXY"
SHORT_CODE_PATTERN = rf"^[{CODE_ALPHABET}]{{6,8}}$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
WARD_PATTERN = r"^E05\d{6}$"


class TouchpointKind(StrEnum):
    POSTER = "poster"
    LETTER = "letter"
    LEAFLET = "leaflet"
    VENUE = "venue"
    STICKER = "sticker"


class CodeChange(StrEnum):
    CREATED = "created"
    DESTINATION_CHANGED = "destination_changed"
    SWITCH_SCHEDULED = "switch_scheduled"
    SWITCH_CANCELLED = "switch_cancelled"
    RETIRED = "retired"


class ScanOutcome(StrEnum):
    REDIRECTED = "redirected"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    RETIRED = "retired"
    UNKNOWN = "unknown"


class ScanVia(StrEnum):
    SCANNED = "scanned"  # the URL in the QR image, which carries the scan mark
    TYPED = "typed"  # the short URL printed beside it


class DeviceClass(StrEnum):
    MOBILE = "mobile"
    DESKTOP = "desktop"
    BOT = "bot"  # crawlers, link previews and HEAD requests: counted apart from scans


class QrCodeChanged(EventPayload):
    """The whole current state of a code after a change, so the compacted topic's last
    record per code is all a reader needs, scheduled switch included."""

    event_type: ClassVar[str] = "civic.qr.code_changed.v2"
    topic: ClassVar[str] = "qr.codes"
    key_field: ClassVar[str] = "code_id"
    summary: ClassVar[str] = ("A QR code was created, re-pointed, scheduled to switch or "
                              "retired; the code's whole current state.")

    code_id: UUID
    short_code: str = Field(pattern=SHORT_CODE_PATTERN)
    revision: int = Field(ge=1, description="Grows by one with every change of the code.")
    change: CodeChange
    changed_at: datetime
    destination_url: AnyHttpUrl
    scheduled_destination_url: AnyHttpUrl | None = None
    switch_at: datetime | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    retired: bool = False
    replacement_short_code: str | None = Field(default=None, pattern=SHORT_CODE_PATTERN)
    touchpoint: TouchpointKind
    campaign: str = Field(pattern=SLUG_PATTERN)
    print_batch: str = Field(pattern=SLUG_PATTERN)
    ward: str = Field(pattern=WARD_PATTERN)


class QrScanned(EventPayload):
    event_type: ClassVar[str] = "civic.qr.scanned.v2"
    topic: ClassVar[str] = "qr.scans"
    key_field: ClassVar[str] = "code_id"
    summary: ClassVar[str] = (
        "A printed code was scanned or typed. No IP address, user agent, cookie or other "
        "identifier of the person.")

    scan_id: UUID
    scanned_at: datetime
    outcome: ScanOutcome
    via: ScanVia
    device_class: DeviceClass
    repeat: bool = Field(description="The same device scanned this code within the hour; "
                         "counted once.")
    code_id: UUID | None = Field(default=None, description="None for an unknown code.")
    short_code: str | None = Field(
        default=None, pattern=SHORT_CODE_PATTERN,
        description="For an unknown code, only if it was well formed.")
    touchpoint: TouchpointKind | None = None
    campaign: str | None = Field(default=None, pattern=SLUG_PATTERN)
    ward: str | None = Field(default=None, pattern=WARD_PATTERN)

    def partition_key(self) -> str:
        # scans of unknown codes share one key: they belong to no code
        return str(self.code_id) if self.code_id else "unknown"
