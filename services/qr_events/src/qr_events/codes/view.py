"""Every worker's in-memory view of the codes it serves, so a redirect never waits on
the database or on Kafka.

The view starts from the database and then follows the compacted ``qr.codes``, where
each record is a code's whole state. It keeps the highest revision of each code, so a
worker's own change (applied at once) and the same change read back from the topic
agree, and a scheduled switch needs no event at switch time: the state carries it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from civic.contracts.qr import QrCodeChanged, ScanOutcome, TouchpointKind


@dataclass(frozen=True, slots=True)
class CodeState:
    code_id: UUID
    short_code: str
    revision: int
    destination_url: str
    scheduled_url: str | None
    switch_at: datetime | None
    valid_from: datetime | None
    valid_until: datetime | None
    retired: bool
    replacement: str | None
    touchpoint: TouchpointKind
    campaign: str
    ward: str

    @classmethod
    def of(cls, event: QrCodeChanged) -> CodeState:
        return cls(code_id=event.code_id, short_code=event.short_code, revision=event.revision,
                   destination_url=str(event.destination_url),
                   scheduled_url=(str(event.scheduled_destination_url)
                                  if event.scheduled_destination_url else None),
                   switch_at=event.switch_at, valid_from=event.valid_from,
                   valid_until=event.valid_until, retired=event.retired,
                   replacement=event.replacement_short_code, touchpoint=event.touchpoint,
                   campaign=event.campaign, ward=event.ward)

    def outcome(self, now: datetime) -> ScanOutcome:
        if self.retired:
            return ScanOutcome.RETIRED
        if self.valid_until is not None and now >= self.valid_until:
            return ScanOutcome.EXPIRED
        if self.valid_from is not None and now < self.valid_from:
            return ScanOutcome.NOT_YET_VALID
        return ScanOutcome.REDIRECTED

    def location(self, now: datetime) -> str:
        if self.scheduled_url is not None and self.switch_at is not None \
                and now >= self.switch_at:
            return self.scheduled_url
        return self.destination_url


class Resolution(NamedTuple):
    outcome: ScanOutcome
    state: CodeState | None
    location: str | None  # only when redirected


class CodeView:
    def __init__(self) -> None:
        self._codes: dict[str, CodeState] = {}
        self._lock = threading.Lock()  # writers only; a dict read is atomic
        self.synced_at = time.monotonic()  # last time the view was known current

    def apply(self, state: CodeState) -> bool:
        """Keep ``state`` unless the view already holds this revision or a later one."""
        with self._lock:
            held = self._codes.get(state.short_code)
            if held is not None and held.revision >= state.revision:
                return False
            self._codes[state.short_code] = state
            return True

    def mark_synced(self) -> None:
        self.synced_at = time.monotonic()

    def age_s(self) -> float:
        return time.monotonic() - self.synced_at

    def get(self, short_code: str) -> CodeState | None:
        return self._codes.get(short_code)

    def resolve(self, short_code: str | None, now: datetime) -> Resolution:
        state = self._codes.get(short_code) if short_code else None
        if state is None:
            return Resolution(ScanOutcome.UNKNOWN, None, None)
        outcome = state.outcome(now)
        location = state.location(now) if outcome is ScanOutcome.REDIRECTED else None
        return Resolution(outcome, state, location)

    def __len__(self) -> int:
        return len(self._codes)
