"""The queries a partner's claims make."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from case_intake.cases.models import Case

# The first key of the PostgreSQL advisory lock that serialises one partner's claims;
# the second is a hash of the partner's name. Any other use picks another number.
CLAIM_LOCK_SPACE = 0x636C6D  # "clm"


def lock_partner(session: Session, partner: str) -> None:
    """Hold one partner's claims in line until this transaction ends, so a count of its
    claims stays true until the claim it checks is committed. PostgreSQL only: SQLite's
    writers already queue on the process's write lock (``civic.db.write_lock``)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:space, hashtext(:partner))"),
                        {"space": CLAIM_LOCK_SPACE, "partner": partner})


def held_count(session: Session, partner: str, statuses: list[str]) -> int:
    """How many cases this partner holds in these statuses."""
    return session.scalar(select(func.count()).select_from(Case).where(
        Case.claimed_by == partner, Case.status.in_(statuses))) or 0
