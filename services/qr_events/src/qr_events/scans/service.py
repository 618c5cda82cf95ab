"""Resolving a scan: from the in-memory view, recorded through the buffer. Nothing here
touches the database or the broker, so a redirect costs a dictionary lookup."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio

from civic.contracts.qr import ScanOutcome, ScanVia
from qr_events.codes.identifiers import looks_like_postcode, well_formed
from qr_events.codes.links import ShortLinks
from qr_events.codes.view import CodeView, Resolution
from qr_events.metrics import ScanMetrics
from qr_events.scans.buffer import PendingScan, ScanBuffer

Clock = Callable[[], datetime]
ROOM_WAIT_S = 2.0
ROOM_POLL_S = 0.01


@dataclass(frozen=True)
class HelpDetails:
    """What every dead-end page offers: the form, the helpline, the council's name."""

    help_url: str
    council_name: str
    helpline_phone: str


@dataclass(frozen=True)
class ScanAnswer:
    outcome: ScanOutcome
    location: str | None  # where to redirect; None for a dead end
    code: str | None  # the normalised code, if the input was one
    replacement_code: str | None
    replacement_url: str | None
    valid_from: datetime | None


class ScanService:
    def __init__(self, view: CodeView, buffer: ScanBuffer, links: ShortLinks,
                 help_details: HelpDetails, metrics: ScanMetrics, *,
                 clock: Clock = lambda: datetime.now(UTC)) -> None:
        self.view = view
        self.buffer = buffer
        self.links = links
        self.help = help_details
        self.metrics = metrics
        self.clock = clock

    async def _wait_for_room(self, pending: PendingScan) -> None:
        """Only when the database has fallen a whole buffer behind. The resident waits a
        little (on the event loop, holding no thread); if the database is still away,
        they get their answer and the scan is dropped and counted, rather than a
        resident left hanging on an outage."""
        deadline = time.monotonic() + ROOM_WAIT_S
        while time.monotonic() < deadline:
            await anyio.sleep(ROOM_POLL_S)
            if self.buffer.offer(pending):
                return
        self.metrics.dropped.inc()

    @staticmethod
    def _orphan_text(code: str | None) -> str | None:
        # No issued code is shaped like a postcode, so such a text is a resident's
        # address typed in the wrong box: the orphan is counted, the text never kept.
        return None if code is None or looks_like_postcode(code) else code

    async def scan(self, raw_code: str, *, marked: bool, method: str, client: str,
                   user_agent: str) -> ScanAnswer:
        now = self.clock()
        code = well_formed(raw_code)
        found: Resolution = self.view.resolve(code, now)
        pending = PendingScan(
            scan_id=uuid.uuid4(), at=now, outcome=found.outcome,
            via=ScanVia.SCANNED if marked else ScanVia.TYPED, state=found.state,
            well_formed_code=self._orphan_text(code) if found.state is None else None,
            method=method,
            client=client, user_agent=user_agent)
        if not self.buffer.offer(pending):
            await self._wait_for_room(pending)
        replacement = found.state.replacement if found.state else None
        return ScanAnswer(
            outcome=found.outcome, location=found.location, code=code,
            replacement_code=replacement,
            replacement_url=self.links.short_url(replacement) if replacement else None,
            valid_from=found.state.valid_from if found.state else None)
