"""Which printed code brought a case in: ``cases.submitted`` names the code in its
``source`` (``qr-<code>``), added by the redirect to the intake form's URL.

This is the handler of QR events' consumer group. It also reads ``qr.codes``: every
worker follows that topic whole for its view (``codes/view.py``), but only the group
dead-letters a record that doesn't decode, so it goes there once, not once per worker.
Erasure of a case removes its conversion row; the code's totals drop by one.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from civic.contracts.cases import CaseErased, CaseSubmitted
from civic.contracts.envelope import Envelope
from qr_events.codes.identifiers import well_formed
from qr_events.conversions import repository
from qr_events.metrics import ScanMetrics

log = logging.getLogger(__name__)
SOURCE_PREFIX = "qr-"
TOPICS = ["cases.submitted", "cases.lifecycle", "qr.codes"]


class ConversionService:
    def __init__(self, sessions: sessionmaker[Session], metrics: ScanMetrics) -> None:
        self.sessions = sessions
        self.metrics = metrics

    def handle(self, envelope: Envelope) -> None:
        payload = envelope.payload
        if isinstance(payload, CaseSubmitted):
            self._submitted(payload)
        elif isinstance(payload, CaseErased):
            with self.sessions.begin() as session:
                repository.forget(session, payload.case_id)

    def _submitted(self, case: CaseSubmitted) -> None:
        if not case.source or not case.source.startswith(SOURCE_PREFIX):
            return
        code = well_formed(case.source[len(SOURCE_PREFIX):])
        if code is None:
            return
        with self.sessions.begin() as session:
            code_id = repository.code_id_of(session, code)
            if code_id is None:
                log.info("a case names code %s, which this service never made", code)
                return
            added = repository.add(session, case.case_id, code_id, case.submitted_at)
        if added:
            self.metrics.conversions.inc()
