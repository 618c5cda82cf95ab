"""Paging down the need order (``ordering.py``'s index): where a page starts, the cursor
a "Next page" link carries, and cutting one page from a read of one row more. The staff
queue and the partner board both page this way; a page at any depth is one index seek."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from case_intake.scores.models import CaseScore
from case_intake.scores.ordering import CLOSED_OFFSET, UNSCORED

Row = TypeVar("Row")


@dataclass(frozen=True)
class Position:
    """Where a page starts: just after this row of the need order."""

    queue_key: int
    opened_at: datetime
    case_id: str


def cursor(position: Position) -> str:
    text = f"{position.queue_key}|{position.opened_at.isoformat()}|{position.case_id}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def position(given: str) -> Position | None:
    """The position a ``cursor`` names; None for anything ``cursor`` did not make."""
    try:
        key, at, case_id = base64.urlsafe_b64decode(given.encode()).decode().split("|")
        found = Position(int(key), datetime.fromisoformat(at), str(uuid.UUID(case_id)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    # every key ``queue_key`` gives lies in this range; a number past a database
    # integer's would fail the query instead of naming the bad link
    return found if UNSCORED <= found.queue_key < 2 * CLOSED_OFFSET else None


def one_page(found: Sequence[tuple[Row, CaseScore]], size: int
             ) -> tuple[list[tuple[Row, CaseScore]], Position | None]:
    """A page from ``size + 1`` rows read, and where the next starts (None: the last)."""
    if len(found) <= size:
        return list(found), None
    last = found[size - 1][1]
    return list(found[:size]), Position(last.queue_key, last.opened_at, last.case_id)
