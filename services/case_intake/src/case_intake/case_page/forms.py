"""Reading the case page's forms: each returns the problems as (field, message) pairs
for the GOV.UK error summary, worded as the design system asks (say what to do)."""

from __future__ import annotations

import re

from civic.contracts.common import Band, CaseStatus
from civic.reference import geography

Problems = list[tuple[str, str]]
LSOA = re.compile(r"^E01\d{6}$")


def _length(field: str, text: str, low: int, high: int, what: str) -> Problems:
    if len(text) < low:
        return [(field, f"Enter {what}" if low <= 1 else
                 f"Enter {what}, at least {low} characters")]
    if len(text) > high:
        return [(field, f"{what.capitalize()} must be {high} characters or fewer")]
    return []


def purpose(text: str) -> Problems:
    return _length("purpose", text, 3, 200, "why you need the resident's contact details")


def status_change(to: str, reason: str) -> Problems:
    problems: Problems = []
    if to not in {s.value for s in CaseStatus}:
        problems.append(("to", "Choose the status to move the case to"))
    return problems + _length("reason", reason, 3, 500, "a reason for the change")


def note(text: str) -> Problems:
    return _length("text", text, 1, 4000, "the note")


def band_override(band: str, reason: str) -> Problems:
    problems: Problems = []
    if band not in {b.value for b in Band}:
        problems.append(("band", "Choose the band this case should have"))
    return problems + _length(
        "override_reason", reason, 10, 500,
        "why the band should change (describe the need, not the person)")


def placement(ward: str, lsoa: str) -> Problems:
    if not ward and not lsoa:
        return [("ward", "Choose a ward, or enter a small area code")]
    problems: Problems = []
    if ward and ward not in geography().wards:
        problems.append(("ward", "Choose a ward from the list"))
    if lsoa and not LSOA.match(lsoa):
        problems.append(("lsoa", "Enter a small area code like E01000907"))
    return problems


def erasure(reason: str, confirmed: bool) -> Problems:
    problems = _length("erase_reason", reason, 3, 500,
                       "the reason for erasure, such as the request's reference")
    if not confirmed:
        problems.append(("confirm", "Confirm that the resident's details should be erased"))
    return problems
