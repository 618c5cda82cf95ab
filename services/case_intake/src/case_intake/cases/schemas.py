"""What the case API accepts and returns."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal, Self, cast
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from case_intake.cases.models import Case, CasePersonal
from case_intake.residents.pseudonym import normalise_phone
from civic.contracts.cases import HouseholdFacts
from civic.contracts.common import CaseStatus, Category, Channel, Urgency
from civic.reference import normalise_postcode


class LawfulBasis(StrEnum):
    """UK GDPR Article 6 bases a council may rely on for a request for help."""

    CONSENT = "consent"
    PUBLIC_TASK = "public_task"
    VITAL_INTERESTS = "vital_interests"
    LEGAL_OBLIGATION = "legal_obligation"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Household(HouseholdFacts):
    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.children >= self.people:
            raise ValueError("children must be fewer than people (an adult is in the household)")
        if self.lives_alone and self.people != 1:
            raise ValueError("lives_alone is true but people is more than 1")
        return self


ContactMethod = Literal["phone", "email", "post"]


class Contact(_In):
    name: str = Field(min_length=1, max_length=120)
    phone: str | None = Field(default=None, max_length=20,
                              description="A UK phone number, e.g. 020 7974 4444")
    email: EmailStr | None = None
    date_of_birth: date | None = None
    address: str | None = Field(default=None, max_length=300)
    preferred_contact: ContactMethod | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v and normalise_phone(v) is None:
            raise ValueError("not a UK phone number (10 or 11 digits, or +44)")
        return v or None

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, v: date | None) -> date | None:
        if v and not (date(1900, 1, 1) <= v <= date.today()):
            raise ValueError("date of birth must be between 1900-01-01 and today")
        return v

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if not (self.phone or self.email or self.address):
            raise ValueError("give at least one way to reach the resident: phone, email or address")
        return self


class Location(_In):
    postcode: str | None = Field(default=None, max_length=10)
    ward_code: str | None = Field(default=None, pattern=r"^E05\d{6}$")
    lsoa_code: str | None = Field(default=None, pattern=r"^E01\d{6}$")

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, v: str | None) -> str | None:
        if not v:
            return None
        normalised = normalise_postcode(v)
        if normalised is None:
            raise ValueError("not a valid UK postcode, e.g. NW1 2DB")
        return normalised


class Consent(_In):
    lawful_basis: LawfulBasis
    share_with_partners: bool = Field(
        description="May contact details go to the partner who takes the case?")
    terms_version: str = Field(min_length=1, max_length=20)


class CaseCreate(_In):
    channel: Channel
    categories: list[Category] = Field(min_length=1, max_length=len(Category))
    urgency: Urgency
    household: Household
    contact: Contact
    location: Location
    consent: Consent
    details: str | None = Field(default=None, max_length=4000,
                                description="The resident's own words; stays in case intake.")
    source: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,39}$",
                               description="QR touchpoint or campaign that referred the resident.")

    @field_validator("categories")
    @classmethod
    def _unique(cls, v: list[Category]) -> list[Category]:
        if len(set(v)) != len(v):
            raise ValueError("categories must not repeat")
        return v


class LocationOut(BaseModel):
    ward_code: str | None
    lsoa_code: str | None
    resolved: bool
    needs_review: bool
    review_reason: str | None = None


class CaseCreated(BaseModel):
    id: UUID
    status: CaseStatus
    receipt_token: str = Field(description="Lets the resident check progress without an account.")
    location: LocationOut


class CaseSummary(BaseModel):
    """A case without personal data: what lists and partners see."""

    id: UUID
    created_at: datetime
    status: CaseStatus
    channel: Channel
    categories: list[Category]
    urgency: Urgency
    ward_code: str | None
    lsoa_code: str | None
    needs_review: bool
    claimed_by: str | None
    erased: bool


class NoteOut(BaseModel):
    at: datetime
    author: str
    text: str


class CaseDetail(CaseSummary):
    """Staff view; reading it is audited."""

    household: HouseholdFacts
    previous_contacts_12m: int
    source: str | None
    review_reason: str | None
    consent: Consent
    contact: Contact | None = Field(description="Null once erased.")
    postcode: str | None
    details: str | None
    notes: list[NoteOut]


class CasePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")


class StatusChangeIn(_In):
    to: CaseStatus
    reason: str = Field(min_length=3, max_length=500)


class HistoryEntry(BaseModel):
    at: datetime
    actor_role: str
    actor_id: str | None
    from_status: CaseStatus | None
    to_status: CaseStatus
    reason: str


class NoteIn(_In):
    text: str = Field(min_length=1, max_length=4000)


class ErasureIn(_In):
    reason: str = Field(min_length=3, max_length=500,
                        description="e.g. the resident's erasure request reference")


class PlacementIn(_In):
    ward_code: str | None = Field(default=None, pattern=r"^E05\d{6}$",
                                  description="The ward (ONS code).")
    lsoa_code: str | None = Field(
        default=None, pattern=r"^E01\d{6}$",
        description="The small area (LSOA). Its ward follows from it; if a ward is given "
        "too, the small area must lie in it.")

    @model_validator(mode="after")
    def _somewhere(self) -> Self:
        if self.ward_code is None and self.lsoa_code is None:
            raise ValueError("give a ward_code, an lsoa_code, or both")
        return self


class ReceiptStatus(BaseModel):
    status: CaseStatus
    updated_at: datetime
    message: str


def reference(case_id: str) -> str:
    """How staff and partners read a case out: its id's first eight characters."""
    return case_id[:8].upper()


def summary(case: Case) -> CaseSummary:
    return CaseSummary(id=UUID(case.id), created_at=case.created_at, status=case.status,
                       channel=case.channel, categories=case.categories, urgency=case.urgency,
                       ward_code=case.ward_code, lsoa_code=case.lsoa_code,
                       needs_review=case.needs_review, claimed_by=case.claimed_by,
                       erased=case.erased_at is not None)


def contact_of(person: CasePersonal | None) -> Contact | None:
    if person is None:
        return None
    # model_construct: stored details were validated when filed; re-validating old rows
    # against today's rules could refuse to show a case. The column is a plain string
    # holding what Contact accepted, so it is taken as a ContactMethod.
    return Contact.model_construct(
        name=person.name, phone=person.phone, email=person.email,
        date_of_birth=person.date_of_birth, address=person.address,
        preferred_contact=cast(ContactMethod | None, person.preferred_contact))
