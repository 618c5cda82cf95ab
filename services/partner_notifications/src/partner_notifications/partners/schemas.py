"""The partners API's bodies and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from civic.contracts.common import Category, WardCode
from civic.contracts.partners import PARTNER_ID_PATTERN
from partner_notifications.partners.models import Partner

Organisation = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                max_length=120)]
Contact = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3,
                                           max_length=254)]


class PartnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=PARTNER_ID_PATTERN, examples=["partner.kentish-town-foodbank"],
                    description="The partner's actor id: `partner.` then a slug. Fixed.")
    organisation: Organisation = Field(examples=["Kentish Town Food Bank"])
    contact: Contact = Field(description="How the council reaches the organisation (an "
                             "email address or phone number). Kept in this service only; "
                             "every read is audited.", examples=["coordinator@ktfb.org.uk"])
    wards: list[WardCode] = Field(min_length=1, max_length=100,
                                  description="ONS codes of the council's wards it covers.")
    categories: list[Category] = Field(min_length=1, description="Case categories it serves.")


class PartnerChangeIn(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    organisation: Organisation | None = None
    contact: Contact | None = None
    wards: list[WardCode] | None = Field(default=None, min_length=1, max_length=100)
    categories: list[Category] | None = Field(default=None, min_length=1)
    active: bool | None = Field(default=None, description="false: no key of the partner "
                                "works anywhere on the platform until it is true again.")


class PartnerOut(BaseModel):
    id: str
    organisation: str
    wards: list[str]
    categories: list[str]
    active: bool
    has_key: bool = Field(description="Whether the partner has a live API key.")
    revision: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, partner: Partner, has_key: bool) -> PartnerOut:
        return cls(id=partner.id, organisation=partner.organisation, wards=partner.wards,
                   categories=partner.categories, active=partner.active, has_key=has_key,
                   revision=partner.revision, created_at=partner.created_at,
                   updated_at=partner.updated_at)


class PartnerContactOut(BaseModel):
    id: str
    contact: str


class PartnerKeyOut(BaseModel):
    partner_id: str
    key: str = Field(description="Shown once and never stored: only its SHA-256 is kept. "
                     "It works here and at case intake within seconds.")
