"""The authorisation table: for every route of every service, the status each caller gets.

Columns, in order: no key, a wrong key, staff, a partner whose coverage holds the case,
a partner whose coverage does not, ops. The case (or QR code) a cell acts on is fresh for
each call and in the state the row names, so no cell depends on another's effects: a
retirement or a re-pointing by one caller never changes what the next caller meets."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Request = Callable[[str, str | None], dict[str, Any]]  # (caller, key) -> request parts
# Holborn and Covent Garden: a ward no other test files cases in, so need scoring's replay
# of the broker stays small; food is one of the in-scope partner's categories.
POSTCODE, CASE_WARD, OTHER_WARD = "EC1M 3HA", "E05000138", "E05000128"
CASE: dict[str, Any] = {
    "channel": "phone", "categories": ["food"], "urgency": "this_week",
    "household": {"people": 2, "children": 0, "lives_alone": False,
                  "disability_or_long_term_condition": False, "no_internet_access": False},
    "contact": {"name": "Matrix Example", "phone": "020 7974 0000"},
    "location": {"postcode": POSTCODE},
    "consent": {"lawful_basis": "public_task", "share_with_partners": True,
                "terms_version": "2026-10"},
    "details": "Needs a food parcel.",
}


def _nothing(_caller: str, _key: str | None) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Cell:
    method: str
    path_template: str  # the route as the app declares it
    expected: tuple[int, int, int, int, int, int]
    # the case the call acts on: none, submitted, triaged, claimed (by the partner in
    # scope) or scored (need scoring has scored it); for QR events, the code: none,
    # active or retired
    state: str = "none"
    path: str = ""  # the route with this row's own fixed parts (e.g. .json) filled in
    request: Request = field(default=_nothing)
    key_in_form: bool = False

    def __post_init__(self) -> None:
        if not self.path:
            object.__setattr__(self, "path", self.path_template)


PUBLIC = (200, 200, 200, 200, 200, 200)
STAFF_ONLY = (401, 401, 200, 403, 403, 403)
# A resident's short link: whoever follows it, and whatever key they send, is answered
# alike (an Authorization header changes nothing).
SHORT_LINK = (302,) * 6


def _json(body: dict[str, Any]) -> Request:
    return lambda _caller, _key: {"json": body}


def _form(fields: dict[str, str]) -> Request:
    return lambda _caller, _key: {"data": fields}


def _case(caller: str, _key: str | None) -> dict[str, Any]:
    """Staff file on the phone channel, partners on the partner channel."""
    return {"json": {**CASE, "channel": "partner" if caller.startswith("partner") else "phone"}}


def _open311(_caller: str, key: str | None) -> dict[str, Any]:
    form = {"service_code": "food", "description": "Needs a food parcel.",
            "attribute[postcode]": POSTCODE, "first_name": "Matrix", "phone": "020 7974 0000",
            "attribute[urgency]": "this_week", "attribute[people]": "2",
            "attribute[children]": "0", "attribute[lives_alone]": "false",
            "attribute[disability_or_long_term_condition]": "false",
            "attribute[no_internet_access]": "false", "attribute[share_with_partners]": "true"}
    if key:
        form["api_key"] = key
    return {"data": form}


def _resident_form(_caller: str, _key: str | None) -> dict[str, Any]:
    return {"data": {"categories": "food", "urgency": "today", "people": "2", "children": "0",
                     "disability": "no", "internet": "yes", "postcode": POSTCODE,
                     "name": "Matrix Example", "phone": "020 7974 0000", "privacy": "yes",
                     "form_token": uuid.uuid4().hex}}


def _sign_in_form(_caller: str, key: str | None) -> dict[str, Any]:
    return {"data": {"api_key": key or ""}}  # and no CSRF token: refused before the key


REASON = _json({"reason": "checked with the resident"})

INTAKE: list[Cell] = [
    Cell("GET", "/healthz", PUBLIC),
    Cell("GET", "/readyz", PUBLIC),
    Cell("GET", "/metrics", PUBLIC),
    Cell("GET", "/openapi.json", PUBLIC),
    Cell("GET", "/docs", PUBLIC),
    Cell("GET", "/docs/oauth2-redirect", PUBLIC),
    Cell("GET", "/redoc", PUBLIC),
    Cell("GET", "/static/{path}", PUBLIC, path="/static/form.css"),
    Cell("POST", "/v1/cases", (401, 401, 201, 201, 201, 403), request=_case),
    Cell("GET", "/v1/cases", STAFF_ONLY),
    Cell("GET", "/v1/cases/{case_id}", STAFF_ONLY, state="submitted"),
    Cell("GET", "/v1/cases/{case_id}/history", STAFF_ONLY, state="submitted"),
    Cell("POST", "/v1/cases/{case_id}/status", STAFF_ONLY, state="submitted",
         request=_json({"to": "triaged", "reason": "checked by the duty desk"})),
    Cell("POST", "/v1/cases/{case_id}/location", STAFF_ONLY, state="submitted",
         request=_json({"ward_code": CASE_WARD})),
    Cell("POST", "/v1/cases/{case_id}/notes", (401, 401, 201, 403, 403, 403), state="submitted",
         request=_json({"text": "Rang back, no answer."})),
    Cell("POST", "/v1/cases/{case_id}/erasure", STAFF_ONLY, state="submitted",
         request=REASON),
    Cell("GET", "/v1/cases/{case_id}/audit", (401, 401, 200, 403, 403, 200),
         state="submitted"),
    Cell("GET", "/v1/receipts/{token}", PUBLIC, state="submitted"),
    Cell("POST", "/v1/cases/{case_id}/claim", (401, 401, 403, 200, 403, 403), state="triaged"),
    Cell("GET", "/v1/cases/{case_id}/contact", (401, 401, 403, 200, 403, 403),
         state="claimed"),
    Cell("POST", "/v1/cases/{case_id}/release", (401, 401, 403, 200, 403, 403),
         state="claimed", request=REASON),
    Cell("GET", "/open311/v2/services.{fmt}", PUBLIC, path="/open311/v2/services.json"),
    Cell("GET", "/open311/v2/services/{service_code}.{fmt}", PUBLIC,
         path="/open311/v2/services/food.json"),
    # Open311 answers a missing or wrong key with 403, as the GeoReport v2 spec has it.
    Cell("POST", "/open311/v2/requests.{fmt}", (403, 403, 201, 201, 201, 403),
         path="/open311/v2/requests.json", request=_open311, key_in_form=True),
    Cell("GET", "/open311/v2/requests.{fmt}", PUBLIC, path="/open311/v2/requests.json"),
    Cell("GET", "/open311/v2/requests/{service_request_id}.{fmt}", PUBLIC,
         path="/open311/v2/requests/{service_request_id}.json", state="submitted"),
    # Pages: an API key in a header is no sign-in; the staff pages want a session.
    Cell("GET", "/", (303,) * 6),
    Cell("GET", "/request-help", PUBLIC),
    Cell("GET", "/check-progress", PUBLIC),
    Cell("GET", "/staff/sign-in", PUBLIC),
    Cell("GET", "/staff/request-help", (303,) * 6),
    Cell("GET", "/staff/queue", (303,) * 6),
    Cell("GET", "/staff/cases/{case_id}", (303,) * 6, state="submitted"),
    Cell("POST", "/staff/cases/{case_id}/contact", (303,) * 6, state="submitted",
         request=_form({"purpose": "calling back"})),
    Cell("POST", "/staff/cases/{case_id}/status", (303,) * 6, state="submitted",
         request=_form({"to": "triaged", "reason": "checked"})),
    Cell("POST", "/staff/cases/{case_id}/notes", (303,) * 6, state="submitted",
         request=_form({"text": "called"})),
    Cell("POST", "/staff/cases/{case_id}/band", (303,) * 6, state="submitted",
         request=_form({"band": "high", "override_reason": "Known to adult social care."})),
    Cell("POST", "/staff/cases/{case_id}/place", (303,) * 6, state="submitted",
         request=_form({"ward": CASE_WARD})),
    Cell("POST", "/staff/cases/{case_id}/erase", (303,) * 6, state="submitted",
         request=_form({"erase_reason": "asked", "confirm": "yes"})),
    Cell("POST", "/request-help", PUBLIC, request=_resident_form),  # files as the resident
    Cell("POST", "/staff/request-help", (303,) * 6, request=_resident_form),
    Cell("POST", "/staff/sign-in", (403,) * 6, request=_sign_in_form),
    Cell("POST", "/staff/sign-out", (303,) * 6),
    # The partner pages want a partner session: a key in a header is no sign-in either.
    Cell("GET", "/partner/sign-in", PUBLIC),
    Cell("POST", "/partner/sign-in", (403,) * 6, request=_sign_in_form),
    Cell("POST", "/partner/sign-out", (303,) * 6),
    Cell("GET", "/partner/board", (303,) * 6),
    Cell("GET", "/partner/cases", (303,) * 6),
    Cell("POST", "/partner/cases/{case_id}/claim", (303,) * 6, state="triaged"),
    Cell("POST", "/partner/cases/{case_id}/release", (303,) * 6, state="claimed",
         request=_form({"reason": "cannot reach them"})),
    Cell("POST", "/partner/cases/{case_id}/progress", (303,) * 6, state="claimed",
         request=_form({"to": "in_progress"})),
]

SCORING: list[Cell] = [
    Cell("GET", "/healthz", PUBLIC),
    Cell("GET", "/readyz", PUBLIC),
    Cell("GET", "/metrics", PUBLIC),
    Cell("GET", "/openapi.json", PUBLIC),
    Cell("GET", "/docs", PUBLIC),
    Cell("GET", "/docs/oauth2-redirect", PUBLIC),
    Cell("GET", "/redoc", PUBLIC),
    Cell("GET", "/v1/cases/{case_id}/score", (401, 401, 200, 403, 403, 200), state="scored"),
    Cell("POST", "/v1/cases/{case_id}/band-override", (401, 401, 201, 403, 403, 403),
         state="scored", request=_json({"band": "high", "reason": "Known to adult social care."})),
    Cell("GET", "/v1/cases/{case_id}/band-overrides", (401, 401, 200, 403, 403, 200),
         state="scored"),
    Cell("GET", "/v1/policy", PUBLIC),
    Cell("GET", "/v1/transparency-record", PUBLIC),
    Cell("GET", "/v1/areas/need", PUBLIC),
    Cell("GET", "/map", PUBLIC),
]

# QR events: staff make and manage codes; anyone may follow a printed short link.
CAMPAIGN = "winter-2026"
CODE: dict[str, Any] = {"destination": {"kind": "intake_form"}, "touchpoint": "poster",
                        "ward": "E05000139", "campaign": CAMPAIGN,
                        "print_batch": "libraries-001"}
UNKNOWN_CODE = "ZZZZZZZ"  # Z is not in the codes' alphabet: no code can be this
LINK = "/q/{code:path}"

QR: list[Cell] = [
    Cell("GET", "/healthz", PUBLIC),
    Cell("GET", "/readyz", PUBLIC),
    Cell("GET", "/metrics", PUBLIC),
    Cell("GET", "/openapi.json", PUBLIC),
    Cell("GET", "/docs", PUBLIC),
    Cell("GET", "/docs/oauth2-redirect", PUBLIC),
    Cell("GET", "/redoc", PUBLIC),
    Cell("GET", "/static/{path}", PUBLIC, path="/static/pages.css"),
    Cell("POST", "/v1/codes", (401, 401, 201, 403, 403, 403), request=_json(CODE)),
    Cell("GET", "/v1/codes", STAFF_ONLY),
    Cell("GET", "/v1/codes/{code}", STAFF_ONLY, state="active"),
    Cell("POST", "/v1/codes/{code}/destination", STAFF_ONLY, state="active",
         request=_json({"destination": {"kind": "url",
                                        "url": "https://www.camden.gov.uk/warm-spaces"}})),
    Cell("POST", "/v1/codes/{code}/retire", STAFF_ONLY, state="active", request=_json({})),
    Cell("GET", "/v1/codes/{code}/history", STAFF_ONLY, state="active"),
    Cell("GET", "/v1/codes/{code}.svg", STAFF_ONLY, state="active"),
    Cell("GET", "/v1/codes/{code}.png", STAFF_ONLY, state="active"),
    Cell("GET", "/v1/codes/{code}.pdf", STAFF_ONLY, state="active"),
    Cell("GET", "/v1/codes/{code}/stats", STAFF_ONLY, state="active"),
    Cell("GET", "/v1/campaigns/{campaign}/stats", STAFF_ONLY,
         path=f"/v1/campaigns/{CAMPAIGN}/stats"),
    # The short link: typed (no mark) and scanned (?via=qr), GET and HEAD, then its
    # dead ends, which are the same helpful page for everyone. The route takes a path,
    # so a link mangled with a slash also reaches the page rather than a bare 404.
    Cell("GET", LINK, SHORT_LINK, state="active", path="/q/{code}"),
    Cell("GET", LINK, SHORT_LINK, state="active", path="/q/{code}?via=qr"),
    Cell("HEAD", LINK, SHORT_LINK, state="active", path="/q/{code}"),
    Cell("GET", LINK, (410,) * 6, state="retired", path="/q/{code}"),
    Cell("HEAD", LINK, (410,) * 6, state="retired", path="/q/{code}"),
    Cell("GET", LINK, (404,) * 6, path=f"/q/{UNKNOWN_CODE}"),
    Cell("GET", LINK, (404,) * 6, path=f"/q/{UNKNOWN_CODE}/more"),
]

# Partner notifications: ops register partners and manage their keys; a partner reads
# only its own record, and manages only its own subscriptions. The partner a cell acts
# on is fresh ("partner"), or fresh with a live key ("keyed"), so one caller's
# revocation never meets the next; a "subscription" is fresh and the in-scope partner's,
# so the other partner meets a 404, as if it did not exist; a "delivery" is a message
# made for such a subscription.
OPS_ONLY = (401, 401, 403, 403, 403, 200)
PARTNERS_ONLY = (401, 401, 403, 200, 200, 403)
OWNER_ONLY = (401, 401, 403, 200, 404, 403)
SUBSCRIPTION: dict[str, Any] = {"url": "http://127.0.0.1:9/hooks", "event_types": ["ping"]}


def _new_partner(_caller: str, _key: str | None) -> dict[str, Any]:
    return {"json": {"id": f"partner.matrix-{uuid.uuid4().hex[:10]}",
                     "organisation": "Matrix Mutual Aid", "contact": "matrix@example.org",
                     "wards": [CASE_WARD], "categories": ["food"]}}


PARTNERS: list[Cell] = [
    Cell("GET", "/healthz", PUBLIC),
    Cell("GET", "/readyz", PUBLIC),
    Cell("GET", "/metrics", PUBLIC),
    Cell("GET", "/openapi.json", PUBLIC),
    Cell("GET", "/docs", PUBLIC),
    Cell("GET", "/docs/oauth2-redirect", PUBLIC),
    Cell("GET", "/redoc", PUBLIC),
    Cell("POST", "/v1/partners", (401, 401, 403, 403, 403, 201), request=_new_partner),
    Cell("GET", "/v1/partners", OPS_ONLY),
    Cell("GET", "/v1/partners/me", PARTNERS_ONLY),
    Cell("GET", "/v1/partners/{partner_id}", OPS_ONLY, state="partner"),
    Cell("GET", "/v1/partners/{partner_id}/contact", OPS_ONLY, state="partner",
         path="/v1/partners/{partner_id}/contact?purpose=matrix+check"),
    Cell("PATCH", "/v1/partners/{partner_id}", OPS_ONLY, state="partner",
         request=_json({"organisation": "Matrix Mutual Aid (renamed)"})),
    Cell("POST", "/v1/partners/{partner_id}/key", (401, 401, 403, 403, 403, 201),
         state="partner"),
    Cell("DELETE", "/v1/partners/{partner_id}/key", (401, 401, 403, 403, 403, 204),
         state="keyed"),
    Cell("POST", "/v1/subscriptions", (401, 401, 403, 201, 201, 403),
         request=_json(SUBSCRIPTION)),
    Cell("GET", "/v1/subscriptions", PARTNERS_ONLY),
    Cell("GET", "/v1/subscriptions/{subscription_id}", OWNER_ONLY, state="subscription"),
    Cell("PATCH", "/v1/subscriptions/{subscription_id}", OWNER_ONLY, state="subscription",
         request=_json({"event_types": ["ping", "case.scored"]})),
    Cell("DELETE", "/v1/subscriptions/{subscription_id}", (401, 401, 403, 204, 404, 403),
         state="subscription"),
    Cell("POST", "/v1/subscriptions/{subscription_id}/enable", OWNER_ONLY,
         state="subscription"),
    Cell("POST", "/v1/subscriptions/{subscription_id}/rotate-secret", OWNER_ONLY,
         state="subscription"),
    Cell("POST", "/v1/subscriptions/{subscription_id}/ping", OWNER_ONLY,
         state="subscription"),
    Cell("GET", "/v1/subscriptions/{subscription_id}/deliveries", OWNER_ONLY,
         state="subscription"),
    Cell("GET", "/v1/subscriptions/{subscription_id}/deliveries/{delivery_id}", OWNER_ONLY,
         state="delivery"),
    Cell("POST", "/v1/subscriptions/{subscription_id}/deliveries/{delivery_id}/resend",
         OWNER_ONLY, state="delivery"),
    Cell("POST", "/v1/subscriptions/{subscription_id}/recover", OWNER_ONLY,
         state="subscription", request=_json({"since": "2026-11-01T00:00:00Z"})),
]
