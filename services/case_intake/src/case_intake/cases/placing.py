"""Staff place a case by hand: one whose address could not be placed when it was filed
(``needs_review``), or one placed wrongly.

Staff choose a ward, a small area (LSOA), or both. The reference geography names each
small area's ward, so a small area alone is enough and the ward follows from it; given
both, the small area must lie in the ward. A ward alone leaves the small area unknown,
as filing does: a small area left from before could lie in another ward.

Placing an already placed case again moves it (staff correcting a mistake) and is
published like the first placement; placing it where it already is changes nothing and
publishes nothing, so a repeated request is harmless. A closed, withdrawn or erased case
is not placed: nobody works it any more, and need scoring has dropped it from open need.

As with status changes, the change and its event (``civic.case.placed.v1``, area codes
only) are one transaction through the outbox, and the event carries the case's version
after the change, so need scoring can ignore one that arrives late.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from case_intake import IDENTITY
from case_intake.audit import repository as audit
from case_intake.cases import lifecycle
from case_intake.cases import repository as cases
from case_intake.cases.models import Case
from case_intake.cases.schemas import CaseSummary, summary
from case_intake.cases.service import changed_meanwhile, not_found
from case_intake.claims.scope import HELD_STATUSES
from case_intake.metrics import IntakeMetrics
from civic import outbox
from civic.contracts.cases import CaseLocation, CasePlaced
from civic.contracts.common import ActorRole, CaseStatus
from civic.db import write_lock
from civic.errors import Conflict, InvalidInput
from civic.http.auth import Principal
from civic.reference import Geography

PLACED_FIELDS = ["ward_code", "lsoa_code"]


@dataclass(frozen=True)
class Place:
    ward_code: str
    lsoa_code: str | None


class CasePlacing:
    def __init__(self, engine: Engine, sessions: sessionmaker[Session], metrics: IntakeMetrics,
                 geography: Geography, on_publish: Callable[[], None] = lambda: None) -> None:
        self.engine = engine
        self.sessions = sessions
        self.metrics = metrics
        self.geography = geography
        self.on_publish = on_publish

    def place(self, case_id: str, *, ward_code: str | None, lsoa_code: str | None,
              principal: Principal) -> CaseSummary:
        place = self.checked(ward_code, lsoa_code)  # before any lock: it needs no case
        try:
            with write_lock(self.engine), self.sessions.begin() as session:
                case = cases.get(session, case_id, for_update=True)
                if case is None:
                    raise not_found(case_id)
                _check_placeable(case)
                if _already_there(case, place):
                    return summary(case)
                self._move(session, case, place, principal)
                result = summary(case)
        except StaleDataError as exc:
            raise changed_meanwhile() from exc
        self.on_publish()
        return result

    def checked(self, ward_code: str | None, lsoa_code: str | None) -> Place:
        """The place staff chose, as the reference geography knows it; refused with a
        detail naming the code (area codes are public, never a resident's data)."""
        council = self.geography.council
        if lsoa_code is not None:
            area = self.geography.areas.get(lsoa_code)
            if area is None:
                raise InvalidInput("Unknown small area",
                                   f"Small area {lsoa_code} is not in {council}.",
                                   slug="unknown-small-area")
            if ward_code is not None and ward_code != area.ward_code:
                raise InvalidInput("Small area outside the ward",
                                   f"Small area {lsoa_code} is in ward {area.ward_code}, "
                                   f"not {ward_code}.", slug="small-area-outside-ward")
            return Place(area.ward_code, area.code)
        if ward_code is None:
            raise InvalidInput("No place given", "Give a ward, a small area, or both.",
                               slug="no-place-given")
        if ward_code not in self.geography.wards:
            raise InvalidInput("Unknown ward", f"Ward {ward_code} is not in {council}.",
                               slug="unknown-ward")
        return Place(ward_code, None)

    def _move(self, session: Session, case: Case, place: Place, principal: Principal) -> None:
        now = datetime.now(UTC)
        correction = case.location_resolved
        before = f"{case.ward_code or 'none'}/{case.lsoa_code or 'none'}"
        case.ward_code, case.lsoa_code = place.ward_code, place.lsoa_code
        # the review reason can quote the postcode the resident gave; it is settled now
        case.location_resolved, case.needs_review, case.review_reason = True, False, None
        case.updated_at = now
        audit.record(session, principal, "place_case", case.id, PLACED_FIELDS,
                     f"placed by hand: {before} -> {place.ward_code}/"
                     f"{place.lsoa_code or 'none'}")
        session.flush()  # raises case.version, which the event carries
        outbox.enqueue(session.connection(), CasePlaced(
            case_id=uuid.UUID(case.id), placed_at=now,
            location=CaseLocation(ward_code=place.ward_code, lsoa_code=place.lsoa_code,
                                  resolved=True),
            actor_role=ActorRole(principal.role.value), actor_id=principal.name,
            case_version=case.version), source=IDENTITY.event_source)
        self.metrics.case_placed(correction=correction)


def _check_placeable(case: Case) -> None:
    if case.erased_at is not None:
        raise Conflict("Case erased", "An erased case cannot be placed.", slug="case-erased")
    status = CaseStatus(case.status)
    if not lifecycle.TRANSITIONS[status]:  # closed or withdrawn: final
        raise Conflict("Case is final", f"A {status} case cannot be placed; it is final.",
                       slug="case-final")
    if status in HELD_STATUSES:
        # a move could take it out of the holding partner's coverage while the partner
        # still reads the resident's details; the claim ends first, then it is placed
        raise Conflict("A partner holds this case", f"{case.claimed_by} holds this case. "
                       "Ask them to release it, or move it back to triaged, before placing "
                       "it somewhere else.", slug="case-held")


def _already_there(case: Case, place: Place) -> bool:
    return (case.location_resolved and not case.needs_review
            and (case.ward_code, case.lsoa_code) == (place.ward_code, place.lsoa_code))
