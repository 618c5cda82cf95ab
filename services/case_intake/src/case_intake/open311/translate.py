"""Translate between Open311 requests and cases. Open311 reads are public, so what they
return is only the public facts of a case: never contact details or free text."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from case_intake.cases.lifecycle import STATUS_MESSAGES
from case_intake.cases.models import Case
from case_intake.cases.schemas import CaseCreate
from civic.contracts.common import OPEN_STATUSES, CaseStatus, Category
from civic.reference import POSTCODE_RE, geography


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description

    def body(self) -> list[dict[str, Any]]:
        return [{"code": self.status, "description": self.description}]


def category(code: str) -> Category:
    try:
        return Category(code)
    except ValueError:
        raise Open311Error(
            404, f"service_code {code!r} not found; GET services for the list") from None


def _bool(form: dict[str, str], code: str) -> Any:
    value = form.get(f"attribute[{code}]")
    return {"true": True, "false": False, "yes": True, "no": False}.get(
        (value or "").lower(), value)


def case_from_form(form: dict[str, str], channel: str, terms_version: str) -> CaseCreate:
    service = category(form.get("service_code", ""))
    name = " ".join(p for p in (form.get("first_name"), form.get("last_name")) if p).strip()
    location: dict[str, Any] = {}
    postcode = form.get("attribute[postcode]") or _postcode_in(form.get("address_string", ""))
    if form.get("lat") and form.get("long"):
        area = _area_at(form["lat"], form["long"])
        if area is not None:
            location["lsoa_code"] = area
    if not location and postcode:
        location["postcode"] = postcode
    raw = {
        "channel": channel,
        "categories": [service.value],
        "urgency": form.get("attribute[urgency]"),
        "household": {
            "people": form.get("attribute[people]"),
            "children": form.get("attribute[children]"),
            "lives_alone": _bool(form, "lives_alone"),
            "disability_or_long_term_condition": _bool(form, "disability_or_long_term_condition"),
            "no_internet_access": _bool(form, "no_internet_access"),
        },
        "contact": {"name": name or None, "phone": form.get("phone") or None,
                    "email": form.get("email") or None,
                    "address": form.get("address_string") or None},
        "location": location,
        "consent": {"lawful_basis": "consent",
                    "share_with_partners": _bool(form, "share_with_partners"),
                    "terms_version": terms_version},
        "details": form.get("description") or None,
    }
    try:
        return CaseCreate.model_validate(raw)
    except ValidationError as exc:
        raise Open311Error(400, "; ".join(_open311_field(e) for e in exc.errors()[:6])) from exc


def _open311_field(error: Any) -> str:
    """Name the field as the Open311 client sent it, not as the case model calls it."""
    loc = [str(p) for p in error["loc"]]
    if len(loc) > 1 and loc[0] in ("household", "consent"):
        field = f"attribute[{loc[1]}]"
    elif len(loc) > 1 and loc[0] == "contact":
        field = {"name": "first_name", "address": "address_string"}.get(loc[1], loc[1])
    elif loc == ["contact"]:
        field = "phone, email or address_string"
    elif loc == ["urgency"]:
        field = "attribute[urgency]"
    elif loc == ["details"]:
        field = "description"
    else:
        field = ".".join(loc) or "request"
    return f"{field}: {error['msg']}"


def _postcode_in(text: str) -> str | None:
    for match in re.finditer(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}", text.upper()):
        if POSTCODE_RE.match(match.group(0).replace(" ", "")):
            return match.group(0)
    return None


def _area_at(lat: str, lon: str) -> str | None:
    try:
        area = geography().area_at(float(lon), float(lat))
    except ValueError:
        raise Open311Error(400, "lat and long must be decimal degrees (WGS84)") from None
    return area.code if area else None


def as_request(case: Case, agency: str) -> dict[str, Any]:
    status = CaseStatus(case.status)
    name = Category(case.categories[0])
    return {
        "service_request_id": case.id,
        "status": "open" if status in OPEN_STATUSES else "closed",
        "status_notes": STATUS_MESSAGES[status],
        "service_name": name.value.replace("_", " ").capitalize(),
        "service_code": name.value,
        "description": None,  # the resident's words are personal data
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": _w3(case.created_at),
        "updated_datetime": _w3(case.updated_at),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _w3(moment: datetime) -> str:
    # SQLite hands back naive datetimes; everything is stored in UTC
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
