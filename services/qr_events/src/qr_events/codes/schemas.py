"""The codes API's models. There is deliberately no field for a person: a code
identifies a print run (touchpoint, venue, ward, campaign, batch), never a resident."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from civic.contracts.qr import SHORT_CODE_PATTERN, SLUG_PATTERN, WARD_PATTERN, TouchpointKind

MAX_URL = 2000


class DestinationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["intake_form", "url"] = Field(
        description="`intake_form`: case intake's form, with this code as its `source`; "
        "`url`: an https page on an allow-listed council domain.")
    url: str | None = Field(default=None, max_length=MAX_URL)


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    destination: DestinationIn
    touchpoint: TouchpointKind
    venue_name: str | None = Field(default=None, min_length=1, max_length=120,
                                   description="Where it is displayed, e.g. a library.")
    ward: str = Field(pattern=WARD_PATTERN, description="GSS code of the ward it is in.")
    campaign: str = Field(pattern=SLUG_PATTERN)
    print_batch: str = Field(pattern=SLUG_PATTERN)
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None

    @model_validator(mode="after")
    def _window(self) -> CodeIn:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class DestinationChangeIn(BaseModel):
    """Re-point now, or at ``switch_at`` (a scheduled switch replaces any earlier one)."""

    model_config = ConfigDict(extra="forbid")

    destination: DestinationIn
    switch_at: AwareDatetime | None = Field(
        default=None, description="When to switch; omit to switch now.")


class RetireIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    replacement: str | None = Field(
        default=None, max_length=12,
        description="The code that replaces it; its dead-end page links there.")


class DestinationOut(BaseModel):
    kind: str
    url: str = Field(description="Where a scan lands now, attribution included.")


class ScheduledSwitchOut(BaseModel):
    kind: str
    url: str
    switch_at: datetime


class CodeOut(BaseModel):
    code: str = Field(pattern=SHORT_CODE_PATTERN)
    code_id: str
    revision: int
    short_url: str = Field(description="The printed form, for typing.")
    scan_url: str = Field(description="What the QR image encodes: the short URL marked as "
                          "a scan.")
    destination: DestinationOut
    scheduled_switch: ScheduledSwitchOut | None
    touchpoint: TouchpointKind
    venue_name: str | None
    ward: str
    campaign: str
    print_batch: str
    valid_from: datetime | None
    valid_until: datetime | None
    retired_at: datetime | None
    replacement: str | None
    status: Literal["active", "not_yet_valid", "expired", "retired"]
    images: dict[str, str]
    created_at: datetime


class CodePage(BaseModel):
    items: list[CodeOut]
    next_cursor: str | None


class ChangeOut(BaseModel):
    revision: int
    change: str
    changed_at: datetime
    actor: str
    actor_role: str
    details: dict[str, Any]


class HistoryOut(BaseModel):
    code: str
    changes: list[ChangeOut]


def code_out(code: Any, *, links: Any, destinations: Any, status: str,
             api_base: str = "/v1/codes") -> CodeOut:
    """``code`` is a ``codes.models.Code`` row; links and destinations map it to URLs."""
    scheduled = None
    if code.scheduled_kind and code.switch_at:
        scheduled = ScheduledSwitchOut(
            kind=code.scheduled_kind, switch_at=code.switch_at,
            url=destinations.resolve(code.scheduled_kind, code.scheduled_url, code.short_code))
    return CodeOut(
        code=code.short_code, code_id=str(code.id), revision=code.revision,
        short_url=links.short_url(code.short_code), scan_url=links.scan_url(code.short_code),
        destination=DestinationOut(kind=code.destination_kind, url=destinations.resolve(
            code.destination_kind, code.destination_url, code.short_code)),
        scheduled_switch=scheduled, touchpoint=code.touchpoint, venue_name=code.venue_name,
        ward=code.ward, campaign=code.campaign, print_batch=code.print_batch,
        valid_from=code.valid_from, valid_until=code.valid_until, retired_at=code.retired_at,
        replacement=code.replacement_code, status=status, created_at=code.created_at,
        images={fmt: f"{api_base}/{code.short_code}.{fmt}" for fmt in ("svg", "png", "pdf")})


def history_out(code: Any, changes: list[Any]) -> HistoryOut:
    return HistoryOut(code=code.short_code, changes=[ChangeOut(
        revision=c.revision, change=c.change, changed_at=c.changed_at, actor=c.actor,
        actor_role=c.actor_role, details=c.details) for c in changes])
