"""From events on the bus to deliveries: the handler of this service's consumer group.

It keeps what partners may be told about each case (``KnownCase``: ward, categories,
status, band and reasons, from ``cases.submitted``, ``cases.scored`` and
``cases.lifecycle``), and for each event adds one delivery per matching subscription,
in the transaction that records the event's effect. A delivery is unique per source
event and subscription, so an event read twice (a redelivery after a crash) adds
nothing. ``cases.scored`` names no ward, so a score that arrives before its case is
kept and announced when the case arrives.

Who is told what:
- ``case.scored``: partners whose coverage and filters hold the case (ward, a category,
  the minimum band), while it is open and unclaimed; a case staff place by hand
  (``civic.case.placed.v1``) is told to the partners covering its new ward then;
- ``case.claimed`` and ``case.released``: every other partner told of the case;
- ``case.status_changed``: every partner told of the case;
- ``area.need_updated``: partners covering the ward (ward figures only; small areas are
  finer than any partner's coverage).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from civic.contracts.cases import CaseErased, CasePlaced, CaseStatusChanged, CaseSubmitted
from civic.contracts.common import AreaLevel, Band, CaseStatus
from civic.contracts.envelope import Envelope
from civic.contracts.scoring import AreaNeedChanged, CaseScored
from partner_notifications.deliveries import payloads, repository
from partner_notifications.deliveries.models import Delivery, KnownCase
from partner_notifications.partners.models import Partner
from partner_notifications.subscriptions.models import Subscription

TOPICS = ["cases.submitted", "cases.scored", "cases.lifecycle", "areas.need"]
BAND_ORDER = {band.value: rank for rank, band in enumerate(Band)}
ANNOUNCED = {CaseStatus.SUBMITTED.value, CaseStatus.TRIAGED.value}
HELD = {CaseStatus.CLAIMED.value, CaseStatus.IN_PROGRESS.value}


def covers(subscription: Subscription, partner: Partner, ward: str | None,
           categories: list[str], band: str | None = None, *, a_case: bool = True) -> bool:
    """Whether a case (or, ``a_case`` False, a ward's figures, which have no band) is
    inside the partner's coverage as it stands and inside the subscription's filters,
    which are never wider."""
    wards = set(partner.wards) & (set(subscription.wards) or set(partner.wards))
    if ward is None or ward not in wards:
        return False
    served = set(partner.categories) & (set(subscription.categories) or set(partner.categories))
    if categories and not served & set(categories):
        return False
    if subscription.min_band and a_case:
        return band is not None and BAND_ORDER[band] >= BAND_ORDER[subscription.min_band]
    return True


class DeliveryPlanner:
    def __init__(self, sessions: sessionmaker[Session], *, claim_url: Callable[[str], str],
                 on_new: Callable[[], None] = lambda: None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.sessions = sessions
        self.claim_url = claim_url
        self.on_new = on_new
        self.clock = clock

    def handle(self, envelope: Envelope) -> None:
        payload, added = envelope.payload, 0
        with self.sessions.begin() as session:
            if isinstance(payload, CaseSubmitted):
                added = self._submitted(session, payload)
            elif isinstance(payload, CaseScored):
                added = self._scored(session, envelope.id, payload)
            elif isinstance(payload, CaseStatusChanged):
                added = self._status(session, envelope.id, payload)
            elif isinstance(payload, CasePlaced):
                added = self._placed(session, payload)
            elif isinstance(payload, CaseErased):
                repository.forget_case(session, payload.case_id)
            elif isinstance(payload, AreaNeedChanged) and payload.level == AreaLevel.WARD:
                data = payloads.area_data(payload)
                for sub, partner in repository.listeners(session, "area.need_updated"):
                    if covers(sub, partner, payload.area_code, [], a_case=False):
                        added += self._add(session, envelope.id, sub, "area.need_updated",
                                           None, data)
        if added:
            self.on_new()

    def _submitted(self, session: Session, event: CaseSubmitted) -> int:
        case = repository.known_case(session, event.case_id)
        if case is None:
            case = KnownCase(case_id=event.case_id, status=CaseStatus.SUBMITTED.value,
                             reasons=[], version=0)
            session.add(case)
        if case.ward is None or case.version <= (event.case_version or 1):
            case.ward = event.location.ward_code  # else staff placed it since: keep that
        case.categories = sorted(c.value for c in event.categories)
        case.version = max(case.version, event.case_version or 1)
        case.updated_at = self.clock()
        session.flush()
        return self._announce(session, case)

    def _scored(self, session: Session, event_id: str, event: CaseScored) -> int:
        case = repository.known_case(session, event.case_id)
        if case is None:  # the score came first: keep it for when the case arrives
            case = KnownCase(case_id=event.case_id, ward=None, categories=[],
                             status=CaseStatus.SUBMITTED.value, version=0)
            session.add(case)
        case.band, case.score = event.band.value, event.score
        case.reasons = payloads.reasons_summary(event.contributions)
        # The same score published again (need scoring re-handling a submission does)
        # is the same news: its id comes from the case and the scoring time, not the
        # envelope, so it is never sent twice under two ids.
        case.scored_event_id = "scored:" + str(
            uuid.uuid5(event.case_id, event.scored_at.isoformat()))
        case.updated_at = self.clock()
        session.flush()
        return self._announce(session, case)

    def _announce(self, session: Session, case: KnownCase) -> int:
        if case.ward is None or case.scored_event_id is None or case.status not in ANNOUNCED:
            return 0
        data = payloads.case_data(case, self.claim_url(str(case.case_id)))
        return sum(self._add(session, case.scored_event_id, sub, "case.scored", case.case_id,
                             data)
                   for sub, partner in repository.listeners(session, "case.scored")
                   if covers(sub, partner, case.ward, case.categories, case.band))

    def _placed(self, session: Session, event: CasePlaced) -> int:
        """Staff placed the case (filed unplaced, or moved): partners covering its ward
        now are told of it, with the score held; need scoring's new score follows."""
        case = repository.known_case(session, event.case_id)
        if case is None:  # ahead of its case: the submission keeps this place
            case = KnownCase(case_id=event.case_id, categories=[], reasons=[],
                             status=CaseStatus.SUBMITTED.value, version=0)
            session.add(case)
        elif event.case_version <= case.version:
            return 0  # a stale placement
        case.ward, case.version = event.location.ward_code, event.case_version
        case.updated_at = self.clock()
        session.flush()
        return self._announce(session, case)

    def _status(self, session: Session, event_id: str, event: CaseStatusChanged) -> int:
        case = repository.known_case(session, event.case_id)
        if case is None:  # ahead of its case (topics keep no order between them)
            session.add(KnownCase(case_id=event.case_id, ward=None, categories=[],
                                  status=event.to_status.value, reasons=[],
                                  claimed_by=event.partner_id, version=event.case_version or 0,
                                  updated_at=self.clock()))
            return 0
        if event.case_version and event.case_version <= case.version:
            return 0  # a stale change
        was_held, holder = case.status in HELD, case.claimed_by
        case.status, case.version = event.to_status.value, event.case_version or case.version
        case.claimed_by = event.partner_id if case.status in HELD else None
        case.updated_at = self.clock()
        told = repository.notified_partners(session, case.case_id)
        kinds = ["case.status_changed"]
        if event.to_status == CaseStatus.CLAIMED:
            kinds.append("case.claimed")
        elif was_held and event.to_status == CaseStatus.TRIAGED:
            kinds.append("case.released")
        data = payloads.case_data(case, self.claim_url(str(case.case_id)))
        data.update(from_status=event.from_status.value, to_status=event.to_status.value)
        # Intake names the holder on a claim; a release names nobody, so the holder is
        # the one this service recorded.
        claimant = event.partner_id if event.to_status == CaseStatus.CLAIMED else holder
        added = 0
        for kind in kinds:
            for sub, partner in repository.listeners(session, kind):
                others_only = kind in ("case.claimed", "case.released")
                if partner.id not in told or (others_only and partner.id == claimant):
                    continue
                if covers(sub, partner, case.ward, case.categories, case.band):
                    added += self._add(session, f"{event_id}:{kind}", sub, kind,
                                       case.case_id, data)
        return added

    def _add(self, session: Session, event_id: str, sub: Subscription, kind: str,
             case_id: uuid.UUID | None, data: dict[str, Any]) -> int:
        if repository.has_delivery(session, event_id, sub.id):
            return 0  # this event was matched before: a redelivery
        now = self.clock()
        session.add(Delivery(id=uuid.uuid4(), event_id=event_id, subscription_id=sub.id,
                             partner_id=sub.partner_id, webhook_type=kind, case_id=case_id,
                             body=payloads.body(kind, now, data), status="pending",
                             attempts=0, next_attempt_at=now, created_at=now))
        return 1
