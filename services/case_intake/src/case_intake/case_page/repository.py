"""The case page's own queries: the score held for a case and the resident's earlier
cases. The case's rows themselves are read through ``cases.repository``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from case_intake.cases.models import Case, ResidentKey
from case_intake.scores.models import CaseScore

EARLIER_CONTACTS_SHOWN = 20


def score(session: Session, case_id: str) -> CaseScore | None:
    return session.get(CaseScore, case_id)


def earlier_contacts(session: Session, case_id: str) -> list[Case]:
    """Other cases filed under any pseudonym this case's resident gave (phone, email,
    name with date of birth), newest first. Read through the pseudonym index, so no
    identifier is compared, and an erased case (its pseudonyms deleted) links to none."""
    mine, theirs = aliased(ResidentKey), aliased(ResidentKey)
    linked = (select(theirs.case_id)
              .join(mine, mine.key == theirs.key)
              .where(mine.case_id == case_id, theirs.case_id != case_id)
              .distinct())
    return list(session.scalars(select(Case).where(Case.id.in_(linked))
                                .order_by(Case.created_at.desc())
                                .limit(EARLIER_CONTACTS_SHOWN)))
