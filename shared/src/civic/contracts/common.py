"""Vocabulary shared by several event types."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints


class Category(StrEnum):
    """What a resident needs help with."""

    FOOD = "food"
    MEDICINE = "medicine"
    ISOLATION_SUPPORT = "isolation_support"
    SOCIAL_CARE = "social_care"
    HOUSING = "housing"
    MONEY = "money"
    DIGITAL_ACCESS = "digital_access"
    LONELINESS = "loneliness"
    OTHER = "other"


class Urgency(StrEnum):
    """How soon the resident says they need help (self-reported)."""

    TODAY = "today"
    THIS_WEEK = "this_week"
    CAN_WAIT = "can_wait"


class Channel(StrEnum):
    WEB = "web"
    PHONE = "phone"
    PARTNER = "partner"
    QR = "qr"
    IMPORT = "import"


class CaseStatus(StrEnum):
    SUBMITTED = "submitted"
    TRIAGED = "triaged"
    CLAIMED = "claimed"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Band(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


class AreaLevel(StrEnum):
    WARD = "ward"
    LSOA = "lsoa"


class ActorRole(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    PARTNER = "partner"
    OPS = "ops"
    SYSTEM = "system"


WardCode = Annotated[str, StringConstraints(pattern=r"^E05\d{6}$")]
LsoaCode = Annotated[str, StringConstraints(pattern=r"^E01\d{6}$")]
# An opaque identifier of a staff member, partner or API key: never a person's name.
ActorId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.:-]{0,63}$")]
ResidentKey = Annotated[
    str,
    Field(
        pattern=r"^rk1_[A-Za-z0-9_-]{43}$",
        description="Keyed pseudonym (HMAC-SHA256) of the resident's normalised "
        "identifiers; links a resident's cases without revealing who they are.",
    ),
]


# A case is open while someone may still act on it: the set every service counts by.
OPEN_STATUSES: frozenset[CaseStatus] = frozenset({
    CaseStatus.SUBMITTED, CaseStatus.TRIAGED, CaseStatus.CLAIMED, CaseStatus.IN_PROGRESS})
