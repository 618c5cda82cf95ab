"""Turn the resident form's fields into a case, and validation failures into the plain
English messages the GOV.UK error-summary pattern asks for: each says what to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from case_intake.cases.schemas import CaseCreate
from civic.contracts.common import Category

CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "food": ("Food", "including emergency food parcels"),
    "medicine": ("Medicine", "collecting prescriptions or medicines"),
    "isolation_support": ("Support while you cannot leave home", ""),
    "social_care": ("Personal care", "help washing, dressing or a care assessment"),
    "housing": ("Housing", "problems with your home or the risk of losing it"),
    "money": ("Money", "bills, debts, benefits or emergency money"),
    "digital_access": ("Getting online", "a device, data or help to use them"),
    "loneliness": ("Feeling lonely", "someone to talk to, or activities nearby"),
    "other": ("Something else", "tell us below"),
}
assert set(CATEGORY_LABELS) == {c.value for c in Category}

URGENCY_LABELS = {"today": "Today", "this_week": "In the next few days",
                  "can_wait": "It can wait a week or more"}

# Field id in the page -> message, in page order (the error summary follows it).
MESSAGES: dict[str, str] = {
    "categories": "Select what you need help with",
    "urgency": "Select how soon you need help",
    "people": "Enter how many people live in your home, as a number from 1 to 30",
    "children": "Enter how many people under 18 live in your home, fewer than everyone in it",
    "disability": "Select yes if anyone in your home has a disability or long-term condition",
    "internet": "Select yes if your home has no internet access",
    "postcode": "Enter a real postcode, like NW1 2DB",
    "name": "Enter your name",
    "dob": "Enter a real date of birth, like 27 3 1957",
    "phone": "Enter a UK phone number, like 020 7974 4444 or 07700 900123",
    "email": "Enter an email address in the right format, like name@example.com",
    "contact": "Give us a phone number, email address or postal address so we can reach you",
    "details": "Tell us more in 4000 characters or fewer",
    "privacy": "Confirm you have read how we use your information",
    "lawful_basis": "Select the lawful basis for taking this request",
}


@dataclass
class FormResult:
    case: CaseCreate | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def summary(self) -> list[tuple[str, str]]:
        return [(f, self.errors[f]) for f in MESSAGES if f in self.errors]


def _int(value: str) -> int | str:
    try:
        return int(value.strip())
    except ValueError:
        return value


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def parse(form: dict[str, Any], categories: list[str], *, staff: bool,
          terms_version: str) -> FormResult:
    errors: dict[str, str] = {}
    dob = _date(form, errors)
    if not staff and form.get("privacy") != "yes":
        errors["privacy"] = MESSAGES["privacy"]
    people = _int(form.get("people", ""))
    raw = {
        "channel": "phone" if staff else ("qr" if form.get("source") else "web"),
        "source": form.get("source") or None,
        "categories": categories,
        "urgency": form.get("urgency") or None,
        "household": {
            "people": people, "children": _int(form.get("children", "") or "0"),
            "lives_alone": people == 1,
            "disability_or_long_term_condition": _yes_no(form.get("disability")),
            "no_internet_access": _yes_no(form.get("internet")),
        },
        "contact": {"name": form.get("name") or None, "phone": form.get("phone") or None,
                    "email": form.get("email") or None, "address": form.get("address") or None,
                    "date_of_birth": dob},
        "location": {"postcode": form.get("postcode") or None},
        "consent": {"lawful_basis": (form.get("lawful_basis") or None) if staff else "public_task",
                    "share_with_partners": form.get("share") == "yes",
                    "terms_version": terms_version},
        "details": form.get("details") or None,
    }
    try:
        case = CaseCreate.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            field_id = _field_for(error["loc"])
            errors.setdefault(field_id, MESSAGES.get(field_id, "Check this answer"))
        return FormResult(errors=errors)
    return FormResult(case=case if not errors else None, errors=errors)


def _field_for(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    head, rest = parts[0], parts[1:]
    if head == "household" and rest:
        return {"people": "people", "children": "children",
                "disability_or_long_term_condition": "disability",
                "no_internet_access": "internet"}.get(rest[0], "people")
    if head == "household":
        return "children"
    if head == "contact" and rest:
        return {"name": "name", "phone": "phone", "email": "email", "address": "contact",
                "date_of_birth": "dob"}.get(rest[0], "contact")
    if head == "contact":
        return "contact"
    if head == "location":
        return "postcode"
    if head == "consent":
        return "lawful_basis"
    return head if head in MESSAGES else "details"


def _date(form: dict[str, Any], errors: dict[str, str]) -> date | None:
    day, month, year = (form.get(k, "").strip() for k in ("dob_day", "dob_month", "dob_year"))
    if not (day or month or year):
        return None
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        errors["dob"] = MESSAGES["dob"]
        return None
    if not date(1900, 1, 1) <= found <= date.today():
        errors["dob"] = MESSAGES["dob"]
        return None
    return found
