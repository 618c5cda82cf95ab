"""Per-code and per-campaign figures from the daily aggregates and conversions."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from civic.contracts.qr import SLUG_PATTERN
from civic.errors import InvalidInput, NotFound
from qr_events.codes import repository as codes
from qr_events.codes.service import parse_code
from qr_events.stats import repository
from qr_events.stats.schemas import (
    CampaignStatsOut,
    CodeStatsOut,
    DayFigures,
    Figures,
    GroupFigures,
)

CAMPAIGN = re.compile(SLUG_PATTERN)
DEFAULT_DAYS = 28
MAX_DAYS = 366
Clock = Callable[[], datetime]


@dataclass
class Tally:
    scans: int = 0
    scanned: int = 0
    typed: int = 0
    mobile: int = 0
    desktop: int = 0
    repeats: int = 0
    bots: int = 0
    conversions: int = 0
    by_outcome: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add_day(self, row: Any) -> None:
        self.repeats += row.repeats
        if row.device_class == "bot":
            self.bots += row.scans
            return
        self.scans += row.scans
        self.scanned += row.scans if row.via == "scanned" else 0
        self.typed += row.scans if row.via == "typed" else 0
        self.mobile += row.scans if row.device_class == "mobile" else 0
        self.desktop += row.scans if row.device_class == "desktop" else 0
        self.by_outcome[row.outcome] += row.scans

    def figures(self) -> dict[str, Any]:
        return {"scans": self.scans, "scanned": self.scanned, "typed": self.typed,
                "mobile": self.mobile, "desktop": self.desktop, "repeats": self.repeats,
                "bots": self.bots, "by_outcome": dict(self.by_outcome),
                "conversions": self.conversions,
                "conversion_rate": round(self.conversions / self.scans, 4) if self.scans
                else None}


class Tallies:
    """A tally per key of one grouping (day, touchpoint, ward or code)."""

    def __init__(self) -> None:
        self.by: dict[Hashable, Tally] = defaultdict(Tally)

    def rows(self) -> list[tuple[Hashable, dict[str, Any]]]:
        return [(key, self.by[key].figures()) for key in sorted(self.by, key=str)]


class StatsService:
    def __init__(self, sessions: sessionmaker[Session],
                 clock: Clock = lambda: datetime.now(UTC)) -> None:
        self.sessions = sessions
        self.clock = clock

    def code(self, text: str, first: date | None, last: date | None) -> CodeStatsOut:
        first, last = self._window(first, last)
        with self.sessions() as session:
            code = codes.by_short_code(session, parse_code(text))
            if code is None:
                raise NotFound("No such code", "there is no such code", slug="no-code")
            total, groups = self._tally(session, [code.id], first, last,
                                        {"day": lambda _c, day: day})
        return CodeStatsOut(
            code=code.short_code, touchpoint=code.touchpoint, campaign=code.campaign,
            ward=code.ward, first_day=first, last_day=last, totals=Figures(**total),
            by_day=[DayFigures(day=k, **v) for k, v in groups["day"].rows()])

    def campaign(self, campaign: str, first: date | None,
                 last: date | None) -> CampaignStatsOut:
        if not CAMPAIGN.match(campaign):
            raise InvalidInput("Not a campaign", "campaign: lower-case letters, digits and "
                               "hyphens, up to 40", slug="bad-campaign")
        first, last = self._window(first, last)
        with self.sessions() as session:
            rows = repository.codes_in_campaign(session, campaign)
            if not rows:
                raise NotFound("No such campaign", f"no code belongs to campaign {campaign}",
                               slug="no-campaign")
            info = {c.id: c for c in rows}
            total, groups = self._tally(session, list(info), first, last, {
                "day": lambda _c, day: day,
                "touchpoint": lambda c, _d: info[c].touchpoint,
                "ward": lambda c, _d: info[c].ward,
                "code": lambda c, _d: info[c].short_code})
        def grouped(name: str) -> list[GroupFigures]:
            return [GroupFigures(key=str(k), **v) for k, v in groups[name].rows()]
        return CampaignStatsOut(
            campaign=campaign, codes=len(rows), first_day=first, last_day=last,
            totals=Figures(**total),
            by_day=[DayFigures(day=k, **v) for k, v in groups["day"].rows()],
            by_touchpoint=grouped("touchpoint"), by_ward=grouped("ward"),
            by_code=grouped("code"))

    def _window(self, first: date | None, last: date | None) -> tuple[date, date]:
        last = last or self.clock().date()
        first = first or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise InvalidInput("Bad window", "from must not be after to", slug="bad-window")
        if (last - first).days >= MAX_DAYS:
            raise InvalidInput("Bad window", f"from and to span at most {MAX_DAYS} days",
                               slug="bad-window")
        return first, last

    @staticmethod
    def _tally(session: Session, code_ids: Sequence[uuid.UUID], first: date, last: date,
               keys: dict[str, Callable[[uuid.UUID, date], Hashable]],
               ) -> tuple[dict[str, Any], dict[str, Tallies]]:
        total = Tally()
        groups = {name: Tallies() for name in keys}
        for row in repository.scan_days(session, code_ids, first, last):
            total.add_day(row)
            for name, key in keys.items():
                groups[name].by[key(row.code_id, row.day)].add_day(row)
        for code_id, day, cases in repository.conversions_by_day(session, code_ids, first,
                                                                 last):
            total.conversions += cases
            for name, key in keys.items():
                groups[name].by[key(code_id, day)].conversions += cases
        return total.figures(), groups
