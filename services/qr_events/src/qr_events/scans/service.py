"""Resolving a scan: from the in-memory view, recorded through the buffer. Nothing here
touches the database or the broker, so a redirect costs a dictionary lookup."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio.to_thread

from civic.contracts.qr import ScanOutcome, ScanVia
from qr_events.codes.identifiers import well_formed
from qr_events.codes.links import ShortLinks
from qr_events.codes.view import CodeView, Resolution
from qr_events.metrics import ScanMetrics
from qr_events.scans.buffer import PendingScan, ScanBuffer

Clock = Callable[[], datetime]
ROOM_WAIT_S = 5.0


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

    async def scan(self, raw_code: str, *, marked: bool, method: str, client: str,
                   user_agent: str) -> ScanAnswer:
        now = self.clock()
        code = well_formed(raw_code)
        found: Resolution = self.view.resolve(code, now)
        pending = PendingScan(
            scan_id=uuid.uuid4(), at=now, outcome=found.outcome,
            via=ScanVia.SCANNED if marked else ScanVia.TYPED, state=found.state,
            well_formed_code=code if found.state is None else None, method=method,
            client=client, user_agent=user_agent)
        while not self.buffer.offer(pending):
            # Only when the database has fallen behind by a whole buffer.
            await anyio.to_thread.run_sync(self.buffer.wait_for_room, ROOM_WAIT_S)
        replacement = found.state.replacement if found.state else None
        return ScanAnswer(
            outcome=found.outcome, location=found.location, code=code,
            replacement_code=replacement,
            replacement_url=self.links.short_url(replacement) if replacement else None,
            valid_from=found.state.valid_from if found.state else None)
