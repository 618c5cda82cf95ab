"""What a partner sees when it claims a case: the minimum it needs to help."""

from __future__ import annotations

from pydantic import BaseModel, Field

from case_intake.cases.schemas import CaseSummary, Contact


class ClaimResult(BaseModel):
    case: CaseSummary
    contact: Contact | None = Field(
        description="Released only to the claiming partner, and only with the resident's consent.")
    contact_withheld_reason: str | None = None
