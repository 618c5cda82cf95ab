"""Events about cases: submitted, placed by staff, status changes and erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from civic.contracts.base import EventPayload
from civic.contracts.common import (
    ActorId,
    ActorRole,
    CaseStatus,
    Category,
    Channel,
    LsoaCode,
    ResidentKey,
    Urgency,
    WardCode,
)


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _case_version() -> Any:
    return Field(
        default=None, ge=1,
        description="The case's version in case intake when this event was written: 1 "
        "when filed, one more with each change. A consumer keeps the last version it "
        "applied per case and ignores an event whose version is not newer, so a late or "
        "replayed event cannot undo a later change. Absent only on events published "
        "before case intake set it.")


class HouseholdFacts(_Part):
    """Coarse facts about the household; no names, ages or free text."""

    people: int = Field(ge=1, le=30, description="People living in the household.")
    children: int = Field(ge=0, le=30, description="Of whom under 18.")
    lives_alone: bool
    disability_or_long_term_condition: bool
    no_internet_access: bool


class CaseLocation(_Part):
    """Where the need is, as area codes only."""

    ward_code: WardCode | None
    lsoa_code: LsoaCode | None
    resolved: bool = Field(description="False when staff must place the case by hand.")


class ConsentFacts(_Part):
    lawful_basis: str = Field(max_length=40)
    share_with_partners: bool
    terms_version: str = Field(max_length=20)


class CaseSubmitted(EventPayload):
    event_type: ClassVar[str] = "civic.case.submitted.v1"
    topic: ClassVar[str] = "cases.submitted"
    key_field: ClassVar[str] = "case_id"
    summary: ClassVar[str] = "A new request for help was accepted by case intake."

    case_id: UUID
    submitted_at: datetime
    channel: Channel
    source: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]{0,39}$",
        description="Printed touchpoint or campaign that referred the resident (QR).",
    )
    categories: list[Category] = Field(min_length=1, max_length=len(Category))
    urgency: Urgency
    household: HouseholdFacts
    location: CaseLocation
    resident_key: ResidentKey | None
    previous_contacts_12m: int = Field(ge=0)
    consent: ConsentFacts
    case_version: int | None = _case_version()


class CaseStatusChanged(EventPayload):
    event_type: ClassVar[str] = "civic.case.status_changed.v1"
    topic: ClassVar[str] = "cases.lifecycle"
    key_field: ClassVar[str] = "case_id"
    summary: ClassVar[str] = (
        "A case moved through its lifecycle. The reason stays in case intake; "
        "only who (by role and opaque id) and when travel."
    )

    case_id: UUID
    from_status: CaseStatus
    to_status: CaseStatus
    changed_at: datetime
    actor_role: ActorRole
    actor_id: ActorId | None = None
    partner_id: ActorId | None = Field(
        default=None, description="The partner holding the case, once claimed."
    )
    case_version: int | None = _case_version()


class CasePlaced(EventPayload):
    event_type: ClassVar[str] = "civic.case.placed.v1"
    topic: ClassVar[str] = "cases.lifecycle"
    key_field: ClassVar[str] = "case_id"
    summary: ClassVar[str] = (
        "Staff placed a case by hand (its address could not be placed when it was filed), "
        "or corrected its place. Area codes only: the address stays in case intake."
    )

    case_id: UUID
    placed_at: datetime
    location: CaseLocation = Field(
        description="Where the case now is. Always resolved, with a ward; the small area "
        "is absent when staff knew only the ward.")
    actor_role: ActorRole
    actor_id: ActorId | None = None
    # Required, unlike on the older case events: this type never existed without it.
    case_version: int = Field(
        ge=1, description="The case's version in case intake after the placement. A "
        "consumer ignores a placement whose version it has already reached.")

    @model_validator(mode="after")
    def _placed(self) -> Self:
        if not self.location.resolved or self.location.ward_code is None:
            raise ValueError("a placed case's location is resolved and names its ward")
        return self


class CaseErased(EventPayload):
    event_type: ClassVar[str] = "civic.case.erased.v1"
    topic: ClassVar[str] = "cases.lifecycle"
    key_field: ClassVar[str] = "case_id"
    summary: ClassVar[str] = (
        "A case's personal data was erased. Consumers must drop anything they hold "
        "about it that could identify the resident, and stop serving its score."
    )

    case_id: UUID
    erased_at: datetime
    case_version: int | None = _case_version()
