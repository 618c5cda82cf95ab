"""The pages a scan lands on when a code leads nowhere: expired, not yet valid, retired or
unknown. A printed code outlives its campaign, so a dead end is never a bare 404: it says
what happened, names any replacement, and gives the helpline and the online form.

The page is rendered without a ``Request`` (Jinja2 directly, autoescaped) so the scan
endpoint can call it with plain values and a unit test can call it with none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from civic.contracts.qr import SHORT_CODE_PATTERN, ScanOutcome

LONDON = ZoneInfo("Europe/London")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# Unknown and not-yet-valid may yet work (a code printed early, a typo fixed), so they are
# 404; expired and retired will never work again, and 410 says so to crawlers and checkers.
STATUS = {ScanOutcome.UNKNOWN: 404, ScanOutcome.NOT_YET_VALID: 404,
          ScanOutcome.EXPIRED: 410, ScanOutcome.RETIRED: 410}

HEADERS = {
    # The answer changes when staff re-point, retire or start a code: never keep it.
    "Cache-Control": "no-store",
    # Dead codes must not show up in search results as council pages.
    "X-Robots-Tag": "noindex",
    # The path is the code, which names a print run and a venue: don't pass it on.
    "Referrer-Policy": "no-referrer",
    # The page needs its own stylesheet and nothing else; this keeps it so.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_code_shape = re.compile(SHORT_CODE_PATTERN)
_tel_strip = re.compile(r"\(0\)|[^\d+]")


@dataclass(frozen=True)
class DeadEnd:
    """What the template says; worked out here so the template holds no decisions."""

    outcome: str
    heading: str
    code: str | None
    starts: str | None  # "on 1 December 2026", "at 9am on 1 December 2026"
    replacement_url: str | None
    replacement_code: str | None
    replacement_printed: str | None
    help_url: str
    council: str
    phone: str
    phone_href: str


def dead_end_page(outcome: ScanOutcome, *, code: str | None, replacement_url: str | None,
                  replacement_code: str | None, help_url: str, council_name: str,
                  helpline_phone: str, valid_from: datetime | None = None) -> HTMLResponse:
    """The helpful page for a code that leads nowhere, with its status and headers."""
    if outcome not in STATUS:
        raise ValueError(f"{outcome} is not a dead end")
    # The path may be anything a person or a scanner sent; only a code in the
    # service's own alphabet is ever written back into the page.
    shown = code if code is not None and _code_shape.match(code) else None
    if replacement_url is not None and not replacement_url.startswith(("https://", "http://")):
        replacement_url = None  # only a link we built belongs here, never a script: URL
    replacement = (replacement_code if replacement_code is not None
                   and _code_shape.match(replacement_code) else None)
    page = DeadEnd(
        outcome=outcome.value, heading=heading(outcome, shown, replaced=bool(replacement_url)),
        code=shown,
        starts=when(valid_from) if outcome is ScanOutcome.NOT_YET_VALID and valid_from
        else None,
        replacement_url=replacement_url, replacement_code=replacement,
        replacement_printed=replacement_url.split("://", 1)[-1] if replacement_url else None,
        help_url=help_url, council=council_name, phone=helpline_phone,
        phone_href=tel_href(helpline_phone))
    html = _templates.get_template("dead_end.html").render(page=page)
    return HTMLResponse(html, status_code=STATUS[outcome], headers=HEADERS)


def heading(outcome: ScanOutcome, code: str | None, *, replaced: bool) -> str:
    if outcome is ScanOutcome.EXPIRED:
        return "This code has expired"
    if outcome is ScanOutcome.NOT_YET_VALID:
        return "This code is not in use yet"
    if outcome is ScanOutcome.RETIRED:
        return "This code has been replaced" if replaced else "This code is no longer in use"
    return "We cannot find that code" if code else "We could not read that code"


def when(moment: datetime) -> str:
    """A start time in words, as people in London read it: "on 1 December 2026", or
    "at 9:30am on 1 December 2026" when it isn't midnight (GOV.UK style)."""
    local = moment.astimezone(LONDON)
    day = f"{local.day} {MONTHS[local.month - 1]} {local.year}"
    if (local.hour, local.minute) == (0, 0):
        return f"on {day}"
    if (local.hour, local.minute) == (12, 0):
        return f"at midday on {day}"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"at {hour}{minutes}{'am' if local.hour < 12 else 'pm'} on {day}"


def tel_href(phone: str) -> str:
    """``tel:`` in international form, so the link dials from any phone, roaming
    included: "020 7974 4444" becomes "tel:+442079744444"."""
    digits = _tel_strip.sub("", phone)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+44" + digits[1:]
    return f"tel:{digits}"
