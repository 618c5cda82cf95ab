"""The staff queue: open cases in the order the need score gives, explained in a line.

The queue shows no contact details and no free text: reference, ward, kinds of help,
band, score and the top scoring reason. That reason can name a household fact (a
disability, say), as the staff case list's household facts do; like that list it is for
staff only and each read is not audited. Contact details are, where they are shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from case_intake.cases.models import Case
from case_intake.cases.schemas import reference
from case_intake.scores.models import CaseScore
from case_intake.scores.paging import one_page
from case_intake.staff_queue import repository
from case_intake.staff_queue.schemas import Position, QueueFilters, QueuePage, QueueRow

PAGE_SIZE = 50


class StaffQueue:
    def __init__(self, sessions: sessionmaker[Session], page_size: int = PAGE_SIZE,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.sessions = sessions
        self.page_size = page_size
        self.clock = clock

    def page(self, filters: QueueFilters, after: Position | None = None) -> QueuePage:
        now, size = self.clock(), self.page_size
        with self.sessions() as session:
            found = repository.in_order(session, filters, after, size + 1, now)
        shown, next_position = one_page(found, size)
        return QueuePage(rows=[row(case, score) for case, score in shown],
                         next_position=next_position)


def row(case: Case, score: CaseScore) -> QueueRow:
    return QueueRow(
        case_id=case.id, reference=reference(case.id), opened_at=case.created_at,
        ward_code=case.ward_code, categories=list(case.categories), status=case.status,
        channel=case.channel, band=score.band, score=score.score,
        reason=score.reasons[0] if score.reasons else None,
        contact_may_be_shared=case.share_with_partners, held_by=case.claimed_by,
        needs_review=case.needs_review)
