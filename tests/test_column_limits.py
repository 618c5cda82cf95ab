"""Every string the APIs accept fits the column it is stored in.

Statically: each service's OpenAPI document lists every string it accepts (request
bodies, query, header and path parameters) with its limit (maxLength, the longest enum
value, the widest a pattern matches, 254 for an email). Each is either mapped to the
columns it is stored in, whose length must be at least that limit (Text is unbounded),
or named as not stored, with why. A new input with neither fails, so it gets looked
at. The HTML form and Open311 build the same ``CaseCreate``, so its limits cover them.

On PostgreSQL, which enforces VARCHAR lengths (SQLite does not): a case with every
string at its API maximum, then a note, a status change, audited reads, a claim and a
release, and an erasure, each at its maximum, all by a caller whose key name is the
longest a key may have, through the HTTP API; a band override in need scoring; and in QR
events a code with every field at its maximum, re-pointed, retired and scanned. No 500,
and the values are stored whole.

Mutations seen to fail here: ``case_personal.address`` as String(200) in the model and
migration 0001 (static, and a 500 on PostgreSQL); ``ErasureIn.reason`` allowed 600
characters (static: audit_log.purpose and case_history.reason hold 500; a release's
reason was a 500 on PostgreSQL); a ``purpose`` query parameter added to the contact
endpoint's document with no mapping (unclassified); ``codes.venue_name`` as String(100)
(static, and a 500 on PostgreSQL when the migrated column was narrowed to match);
``scans.short_code`` narrowed to 7 on PostgreSQL (the scan writer could not write the
8-character codes, and the scans were never stored)."""

from __future__ import annotations

import re._parser as sre_parse
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, String, Table, text

from case_intake.app import create_app as create_intake
from case_intake.database import schema as intake_schema
from case_intake.settings import Settings as IntakeSettings
from civic.contracts.cases import CaseSubmitted
from civic.contracts.envelope import encode
from civic.db import api_keys as api_keys_table
from civic.http.auth import Coverage, Role
from civic.kafka.producer import EventProducer
from civic.reference import geography, normalise_postcode
from civic_testing import LiveServer
from need_scoring.app import create_app as create_scoring
from need_scoring.database import schema as scoring_schema
from need_scoring.settings import POLICIES
from need_scoring.settings import Settings as ScoringSettings
from partner_notifications.app import create_app as create_partners
from partner_notifications.database import schema as partners_schema
from partner_notifications.settings import Settings as PartnerSettings
from qr_events.app import create_app as create_qr
from qr_events.codes.identifiers import check_character, well_formed
from qr_events.database import schema as qr_schema
from qr_events.settings import Settings as QrSettings

EMAIL_MAX = 254  # email-validator refuses a longer address (RFC 5321's path limit)
KEY_NAME_MAX = api_keys_table.c.name.type.length  # every principal's name

# Where each string input is stored: "METHOD path in.name" -> ["table.column", ...].
STORED_IN: dict[str, dict[str, list[str]]] = {
    "case_intake": {
        "POST /v1/cases body.channel": ["cases.channel"],
        "POST /v1/cases body.categories[]": ["cases.categories"],
        "POST /v1/cases body.urgency": ["cases.urgency"],
        "POST /v1/cases body.contact.name": ["case_personal.name"],
        "POST /v1/cases body.contact.phone": ["case_personal.phone"],
        "POST /v1/cases body.contact.email": ["case_personal.email"],
        "POST /v1/cases body.contact.date_of_birth": ["case_personal.date_of_birth"],
        "POST /v1/cases body.contact.address": ["case_personal.address"],
        "POST /v1/cases body.contact.preferred_contact": ["case_personal.preferred_contact"],
        "POST /v1/cases body.location.postcode": ["case_personal.postcode"],
        "POST /v1/cases body.location.ward_code": ["cases.ward_code"],
        "POST /v1/cases body.location.lsoa_code": ["cases.lsoa_code"],
        "POST /v1/cases body.consent.lawful_basis": ["cases.lawful_basis"],
        "POST /v1/cases body.consent.terms_version": ["cases.terms_version"],
        "POST /v1/cases body.details": ["case_personal.details"],
        "POST /v1/cases body.source": ["cases.source"],
        "POST /v1/cases/{case_id}/status body.to": ["case_history.to_status",
                                                    "cases.status"],
        "POST /v1/cases/{case_id}/status body.reason": ["case_history.reason"],
        "POST /v1/cases/{case_id}/notes body.text": ["case_notes.text"],
        "POST /v1/cases/{case_id}/erasure body.reason": ["audit_log.purpose"],
        "POST /v1/cases/{case_id}/release body.reason": ["case_history.reason"],
        "GET /v1/cases/{case_id} query.purpose": ["audit_log.purpose"],
        "GET /v1/cases/{case_id}/history query.purpose": ["audit_log.purpose"],
        "POST /v1/cases/{case_id}/location body.ward_code": ["cases.ward_code"],
        "POST /v1/cases/{case_id}/location body.lsoa_code": ["cases.lsoa_code"],
    },
    "need_scoring": {
        "POST /v1/cases/{case_id}/band-override body.band": ["band_overrides.band"],
        "POST /v1/cases/{case_id}/band-override body.reason": ["band_overrides.reason"],
        # the member of staff a delegating caller names: recorded as the decision's author
        "POST /v1/cases/{case_id}/band-override header.Civic-Acting-For": [
            "band_overrides.overridden_by", "audit_log.actor_id"],
    },
    "qr_events": {
        "POST /v1/codes body.destination.kind": ["codes.destination_kind",
                                                 "code_history.details"],
        "POST /v1/codes body.destination.url": ["codes.destination_url",
                                                "code_history.details"],
        "POST /v1/codes body.touchpoint": ["codes.touchpoint"],
        "POST /v1/codes body.venue_name": ["codes.venue_name"],
        "POST /v1/codes body.ward": ["codes.ward"],
        "POST /v1/codes body.campaign": ["codes.campaign"],
        "POST /v1/codes body.print_batch": ["codes.print_batch"],
        "POST /v1/codes body.valid_from": ["codes.valid_from"],
        "POST /v1/codes body.valid_until": ["codes.valid_until"],
        "POST /v1/codes/{code}/destination body.destination.kind": [
            "codes.destination_kind", "codes.scheduled_kind", "code_history.details"],
        "POST /v1/codes/{code}/destination body.destination.url": [
            "codes.destination_url", "codes.scheduled_url", "code_history.details"],
        "POST /v1/codes/{code}/destination body.switch_at": ["codes.switch_at"],
        "POST /v1/codes/{code}/retire body.replacement": ["codes.replacement_code",
                                                          "code_history.details"],
        # an unknown code's scans keep it, if it is well formed (for typo statistics)
        "GET /q/{code} path.code": ["scans.short_code"],
        "HEAD /q/{code} path.code": ["scans.short_code"],
    },
    "partner_notifications": {
        # a partner's id names its key, and is what its register and change audit rows
        # give as their purpose
        "POST /v1/partners body.id": ["partners.id", "api_keys.name", "audit_log.purpose"],
        "POST /v1/partners body.organisation": ["partners.organisation"],
        "POST /v1/partners body.contact": ["partners.contact"],
        "POST /v1/partners body.wards[]": ["partners.wards"],
        "POST /v1/partners body.categories[]": ["partners.categories"],
        "PATCH /v1/partners/{partner_id} body.organisation": ["partners.organisation"],
        "PATCH /v1/partners/{partner_id} body.contact": ["partners.contact"],
        "PATCH /v1/partners/{partner_id} body.wards[]": ["partners.wards"],
        "PATCH /v1/partners/{partner_id} body.categories[]": ["partners.categories"],
        "GET /v1/partners/{partner_id}/contact query.purpose": ["audit_log.purpose"],
        **{f"{op} body.{field}": [column]
           for op in ("POST /v1/subscriptions", "PATCH /v1/subscriptions/{subscription_id}")
           for field, column in (("url", "subscriptions.url"),
                                 ("event_types[]", "subscriptions.event_types"),
                                 ("filters.wards[]", "subscriptions.wards"),
                                 ("filters.categories[]", "subscriptions.categories"),
                                 ("filters.min_band", "subscriptions.min_band"))},
    },
}

NOT_STORED: dict[str, dict[str, str]] = {
    "case_intake": {
        "POST /v1/cases header.Idempotency-Key": "only a keyed hash (idempotency/sealing)",
        "GET /v1/cases query.ward_code": "a filter",
        "GET /v1/cases query.status": "a filter",
        "GET /v1/cases query.category": "a filter",
        "GET /v1/cases query.created_from": "a filter",
        "GET /v1/cases query.created_to": "a filter",
        "GET /v1/cases query.cursor": "a page position",
        "GET /v1/receipts/{token} path.token": "looked up by its hash",
        "GET /open311/v2/services.{fmt} path.fmt": "a format",
        "GET /open311/v2/services/{service_code}.{fmt} path.service_code": "a lookup",
        "GET /open311/v2/services/{service_code}.{fmt} path.fmt": "a format",
        "POST /open311/v2/requests.{fmt} path.fmt": "a format",
        "GET /open311/v2/requests.{fmt} path.fmt": "a format",
        "GET /open311/v2/requests.{fmt} query.service_request_id": "a filter",
        "GET /open311/v2/requests.{fmt} query.service_code": "a filter",
        "GET /open311/v2/requests.{fmt} query.start_date": "a filter",
        "GET /open311/v2/requests.{fmt} query.end_date": "a filter",
        "GET /open311/v2/requests.{fmt} query.status": "a filter",
        "GET /open311/v2/requests/{service_request_id}.{fmt} path.service_request_id":
            "a lookup",
        "GET /open311/v2/requests/{service_request_id}.{fmt} path.fmt": "a format",
    },
    "need_scoring": {
        "GET /v1/areas/need query.level": "a choice of view",
        "GET /v1/areas/need query.window": "a choice of view",
        "GET /map query.level": "a choice of view",
        "GET /map query.window": "a choice of view",
        "GET /map query.category": "a choice of view",
    },
    "qr_events": {
        "GET /v1/codes query.campaign": "a filter",
        "GET /v1/codes query.after": "a page position",
        "GET /v1/codes/{code} path.code": "a lookup",
        "POST /v1/codes/{code}/destination path.code": "a lookup",
        "POST /v1/codes/{code}/retire path.code": "a lookup",
        "GET /v1/codes/{code}/history path.code": "a lookup",
        "GET /v1/codes/{code}/stats path.code": "a lookup",
        "GET /v1/codes/{code}/stats query.from": "a filter",
        "GET /v1/codes/{code}/stats query.to": "a filter",
        "GET /v1/campaigns/{campaign}/stats path.campaign": "a lookup",
        "GET /v1/campaigns/{campaign}/stats query.from": "a filter",
        "GET /v1/campaigns/{campaign}/stats query.to": "a filter",
        **{f"GET /v1/codes/{{code}}.{fmt} {what}": why
           for fmt in ("svg", "png", "pdf")
           for what, why in (("path.code", "a lookup"), ("query.dark", "a drawing option"),
                             ("query.light", "a drawing option"))},
        "GET /v1/codes/{code}.pdf query.paper": "a drawing option",
        # scans.via holds scanned or typed: whether it was "qr", not what was sent
        "GET /q/{code} query.via": "only whether it is qr",
        "HEAD /q/{code} query.via": "only whether it is qr",
    },
    "partner_notifications": {
        **{f"{op} path.partner_id": "a lookup"
           for op in ("GET /v1/partners/{partner_id}", "PATCH /v1/partners/{partner_id}",
                      "GET /v1/partners/{partner_id}/contact",
                      "POST /v1/partners/{partner_id}/key",
                      "DELETE /v1/partners/{partner_id}/key")},
        "GET /v1/subscriptions/{subscription_id}/deliveries query.status": "a filter",
        "GET /v1/subscriptions/{subscription_id}/deliveries query.since": "a filter",
        "POST /v1/subscriptions/{subscription_id}/recover body.since": "a time to search from",
    },
}

# Stored in a normalised form shorter than the API allows: (longest stored, why).
STORED_AS = {
    "POST /v1/cases body.location.postcode": (8, "normalised to 'OUTWARD INWARD'"),
    # codes are read without regard to case, spaces or hyphens; only a code kept
    "POST /v1/codes/{code}/retire body.replacement": (8, "normalised, and an existing code"),
    "GET /q/{code} path.code": (8, "normalised, and only if well formed"),
    "HEAD /q/{code} path.code": (8, "normalised, and only if well formed"),
    # URLs are stored as httpx normalises them (IDNA, percent-encoding), which can be
    # longer than what was sent: a longer one is refused, not cut
    "POST /v1/subscriptions body.url": (2000, "normalised, and refused if longer"),
    "PATCH /v1/subscriptions/{subscription_id} body.url": (2000, "as above"),
}
SHORT_CODE_MAX = 8  # qr_events.codes.identifiers.MAX_LENGTH


def _resolve(node: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        found: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            found = found[part]
        node = found
    return node


def _pattern_width(pattern: str) -> int | None:
    widest = sre_parse.parse(pattern).getwidth()[1]
    return None if widest >= sre_parse.MAXREPEAT else int(widest)


def _string_limit(node: dict[str, Any]) -> int | None:
    """The longest string the schema lets through, or None if unbounded."""
    bounds = []
    if "maxLength" in node:
        bounds.append(node["maxLength"])
    if "enum" in node:
        bounds.append(max(len(str(v)) for v in node["enum"]))
    if "pattern" in node and (width := _pattern_width(node["pattern"])) is not None:
        bounds.append(width)
    bounds += {"email": [EMAIL_MAX], "uuid": [36], "date": [10]}.get(node.get("format", ""),
                                                                       [])
    return min(bounds) if bounds else None


def _strings(node: dict[str, Any], where: str, doc: dict[str, Any],
             found: dict[str, int | None]) -> None:
    node = _resolve(node, doc)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in node.get(key, []):
            _strings(option, where, doc, found)
    kind = node.get("type")
    if kind == "object":
        for name, prop in node.get("properties", {}).items():
            _strings(prop, f"{where}.{name}", doc, found)
    elif kind == "array":
        _strings(node.get("items", {}), f"{where}[]", doc, found)
    elif kind == "string" or "enum" in node:
        limit = _string_limit(node)
        if where in found:  # several string options: the widest
            limit = None if None in (limit, found[where]) else max(limit, found[where] or 0)
        found[where] = limit


def string_inputs(doc: dict[str, Any]) -> dict[str, int | None]:
    """'METHOD path in.name' -> its limit, for every string an operation accepts. Path
    parameters that are UUIDs (case ids) are left out: they name an existing case."""
    found: dict[str, int | None] = {}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            for param in operation.get("parameters", []):
                schema = _resolve(param.get("schema", {}), doc)
                if param["in"] == "path" and schema.get("format") == "uuid":
                    continue
                _strings(schema, f"{name} {param['in']}.{param['name']}", doc, found)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                _strings(content.get("schema", {}), f"{name} body", doc, found)
    return found


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("openapi")
    intake = create_intake(IntakeSettings(
        database_url=f"sqlite:///{folder}/intake.db", kafka_bootstrap_servers="127.0.0.1:9",
        apply_topics=False, run_relay=False, run_consumers=False, tune_gc=False))
    scoring = create_scoring(ScoringSettings(
        database_url=f"sqlite:///{folder}/scoring.db", kafka_bootstrap_servers="127.0.0.1:9",
        apply_topics=False, data_dir=folder / "faust"))
    qr = create_qr(_qr_settings(f"sqlite:///{folder}/qr_events.db"))
    partners = create_partners(PartnerSettings(
        database_url=f"sqlite:///{folder}/partners.db", kafka_bootstrap_servers="127.0.0.1:9",
        apply_topics=False, run_relay=False, run_consumers=False, run_worker=False))
    return {"case_intake": intake.openapi(), "need_scoring": scoring.openapi(),
            "qr_events": qr.openapi(), "partner_notifications": partners.openapi()}


def _qr_settings(database_url: str) -> QrSettings:
    # 8-character codes: the longest a code may be
    return QrSettings(database_url=database_url, kafka_bootstrap_servers="127.0.0.1:9",
                      apply_topics=False, run_relay=False, run_consumers=False,
                      public_base_url="https://qr.camden.gov.uk", code_length=SHORT_CODE_MAX)


def _tables(service: str) -> dict[str, Table]:
    schema = {"case_intake": intake_schema, "need_scoring": scoring_schema,
              "qr_events": qr_schema, "partner_notifications": partners_schema}[service]()
    tables: dict[str, Table] = {}
    for metadata in schema.targets:
        assert isinstance(metadata, MetaData)
        tables.update(metadata.tables)
    return tables


def _column_length(tables: dict[str, Table], name: str) -> int | None:
    table, column = name.split(".")
    assert table in tables and column in tables[table].c, f"no column {name}"
    kind = tables[table].c[column].type
    return kind.length if isinstance(kind, String) else None  # Text, JSON, Date: unbounded


SERVICES = ["case_intake", "need_scoring", "qr_events", "partner_notifications"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_string_input_is_either_stored_somewhere_named_or_said_not_to_be(
        service: str, documents: dict[str, dict[str, Any]]) -> None:
    inputs = set(string_inputs(documents[service]))
    classified = set(STORED_IN[service]) | set(NOT_STORED[service])
    assert sorted(inputs - classified) == [], "classify these new inputs above"
    assert sorted(classified - inputs) == [], "these inputs are no longer in the API"


@pytest.mark.parametrize("service", SERVICES)
def test_every_stored_string_fits_its_columns(service: str,
                                              documents: dict[str, dict[str, Any]]) -> None:
    inputs = string_inputs(documents[service])
    tables = _tables(service)
    too_short = []
    for where, columns in STORED_IN[service].items():
        limit = inputs[where]
        if where in STORED_AS:
            limit = STORED_AS[where][0]
        for column in columns:
            length = _column_length(tables, column)
            if length is not None and (limit is None or length < limit):
                too_short.append(f"{where} (up to {limit}) -> {column} ({length})")
    assert too_short == []


def test_the_normalised_forms_are_no_longer_than_stated() -> None:
    for raw in ("sw1a   1aa", "EC1A1BB", "  w1a 0ax ", "M1 1AE"):
        normalised = normalise_postcode(raw.strip())
        assert normalised is not None and len(normalised) <= STORED_AS[
            "POST /v1/cases body.location.postcode"][0]
    eight = "XXXXXXX" + check_character("XXXXXXX")
    for raw in (eight, eight.lower(), "-".join(eight), " - ".join(eight)[:64],
                eight + eight, "x" * 64, "\u00a0".join(eight)):
        code = well_formed(raw)
        assert code is None or len(code) <= STORED_AS["GET /q/{code} path.code"][0], raw
    assert well_formed("-".join(eight)) == eight


def test_principal_names_fit_every_column_that_records_one() -> None:
    """A key's name is the principal every actor column records."""
    columns = {"case_intake": ["cases.created_by", "cases.claimed_by", "case_history.actor_id",
                               "case_notes.author", "audit_log.actor_id"],
               "need_scoring": ["band_overrides.overridden_by", "audit_log.actor_id"],
               "qr_events": ["code_history.actor"],
               "partner_notifications": ["partners.id", "subscriptions.partner_id",
                                         "deliveries.partner_id", "audit_log.actor_id"]}
    for service, names in columns.items():
        tables = _tables(service)
        assert tables["api_keys"].c.name.type.length == KEY_NAME_MAX
        for name in names:
            length = _column_length(tables, name)
            assert length is None or length >= KEY_NAME_MAX, name


# --- PostgreSQL round trips ---------------------------------------------------------

def _longest_email() -> str:
    return "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".org"


def _key_name(role: str) -> str:
    return f"{role}." + "x" * (KEY_NAME_MAX - len(role) - 1)


@pytest.fixture
def intake(postgres_url: str) -> Iterator[TestClient]:
    app = create_intake(IntakeSettings(
        database_url=postgres_url, kafka_bootstrap_servers="127.0.0.1:9", apply_topics=False,
        run_relay=False, run_consumers=False, tune_gc=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.postgres
def test_case_intake_stores_every_string_at_its_api_maximum_on_postgresql(
        intake: TestClient, documents: dict[str, dict[str, Any]]) -> None:
    limits = string_inputs(documents["case_intake"])

    def at_max(where: str, fill: str = "x") -> str:
        limit = limits[where]
        assert limit is not None, where
        return fill * limit

    store = intake.app.state.api_keys  # type: ignore[attr-defined]
    staff = {"Authorization": f"Bearer {store.create(_key_name('staff'), Role.STAFF)}"}
    partner = {"Authorization": "Bearer " + store.create(
        _key_name("partner"), Role.PARTNER, coverage=Coverage.everything())}
    body = {
        "channel": "import",  # "partner" is longer, and partners' alone (static test)
        "categories": ["isolation_support", "digital_access", "social_care", "loneliness",
                       "medicine", "housing", "money", "food"],
        "urgency": "this_week",
        "household": {"people": 2, "children": 1, "lives_alone": False,
                      "disability_or_long_term_condition": True, "no_internet_access": True},
        "contact": {"name": at_max("POST /v1/cases body.contact.name", "N"),
                    "phone": "020     7974    4444",
                    "email": _longest_email(), "date_of_birth": "1961-04-02",
                    "address": at_max("POST /v1/cases body.contact.address", "A"),
                    "preferred_contact": "email"},
        "location": {"postcode": "ec1m   3ha"},  # in Camden, so a partner may claim it
        "consent": {"lawful_basis": "legal_obligation", "share_with_partners": True,
                    "terms_version": at_max("POST /v1/cases body.consent.terms_version", "9")},
        "details": at_max("POST /v1/cases body.details", "d"),
        "source": "q" + "r" * 39,
    }
    assert len(body["contact"]["phone"]) == limits["POST /v1/cases body.contact.phone"]
    assert len(body["location"]["postcode"]) == limits["POST /v1/cases body.location.postcode"]
    assert len(body["contact"]["email"]) == EMAIL_MAX
    key = at_max("POST /v1/cases header.Idempotency-Key", "k")
    created = intake.post("/v1/cases", json=body, headers={**staff, "Idempotency-Key": key})
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]

    purpose = at_max("GET /v1/cases/{case_id} query.purpose", "p")
    reason = at_max("POST /v1/cases/{case_id}/status body.reason", "r")
    steps = [
        intake.post(f"/v1/cases/{case_id}/notes",
                    json={"text": at_max("POST /v1/cases/{case_id}/notes body.text", "n")},
                    headers=staff),
        intake.post(f"/v1/cases/{case_id}/status", json={"to": "triaged", "reason": reason},
                    headers=staff),
        intake.get(f"/v1/cases/{case_id}", params={"purpose": purpose}, headers=staff),
        intake.get(f"/v1/cases/{case_id}/history", params={"purpose": purpose}, headers=staff),
        intake.post(f"/v1/cases/{case_id}/claim", headers=partner),
        intake.post(f"/v1/cases/{case_id}/release", headers=partner, json={
            "reason": at_max("POST /v1/cases/{case_id}/release body.reason", "l")}),
    ]
    assert [r.status_code for r in steps] == [201, 200, 200, 200, 200, 200], \
        [r.text[:300] for r in steps]

    detail = steps[2].json()
    assert detail["postcode"] == "EC1M 3HA"
    assert detail["contact"]["name"] == body["contact"]["name"]
    assert detail["contact"]["address"] == body["contact"]["address"]
    assert detail["details"] == body["details"]
    assert detail["source"] == body["source"]
    assert detail["notes"][0]["author"] == _key_name("staff")
    engine = intake.app.state.container.database.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        reasons = list(conn.execute(text(
            "SELECT reason FROM case_history WHERE case_id = :c"), {"c": case_id}).scalars())
        purposes = list(conn.execute(text(
            "SELECT purpose FROM audit_log WHERE case_id = :c"), {"c": case_id}).scalars())
        created_by = conn.execute(text("SELECT created_by FROM cases")).scalar()
    assert reason in reasons and "l" * 500 in reasons
    assert purpose in purposes
    assert created_by == _key_name("staff")

    erasure = at_max("POST /v1/cases/{case_id}/erasure body.reason", "e")
    erased = intake.post(f"/v1/cases/{case_id}/erasure", json={"reason": erasure},
                         headers=staff)
    assert erased.status_code == 200, erased.text

    # A postcode outside the council: the review reason quotes it, in cases.review_reason.
    unplaced = intake.post("/v1/cases", headers=staff, json={
        **body, "location": {"postcode": "zz99   9zz"}})
    assert unplaced.status_code == 201, unplaced.text
    assert "ZZ99 9ZZ" in unplaced.json()["location"]["review_reason"]


@pytest.mark.postgres
@pytest.mark.broker
@pytest.mark.slow
def test_need_scoring_stores_an_override_at_its_api_maximum_on_postgresql(
        postgres_url: str, kafka_bootstrap: str, tmp_path: Path,
        documents: dict[str, dict[str, Any]]) -> None:
    limit = string_inputs(documents["need_scoring"])[
        "POST /v1/cases/{case_id}/band-override body.reason"]
    assert limit is not None
    version = f"need-2026.11-t{uuid.uuid4().hex[:8]}"  # a consumer group of its own
    policy = tmp_path / f"{version}.yaml"
    policy.write_text((POLICIES / "need-2026.11.yaml").read_text().replace(
        "version: need-2026.11", f"version: {version}"))
    settings = ScoringSettings(database_url=postgres_url,
                               kafka_bootstrap_servers=kafka_bootstrap, policy_file=policy,
                               apply_topics=False, data_dir=tmp_path / "faust")
    with LiveServer(create_scoring(settings)) as server:
        store = server.app.state.api_keys
        staff = {"Authorization": f"Bearer {store.create(_key_name('staff'), Role.STAFF)}"}
        area = next(iter(geography().areas.values()))
        case = CaseSubmitted.model_validate({
            "case_id": uuid.uuid4(), "submitted_at": "2026-11-26T12:00:00+00:00",
            "channel": "web", "categories": ["food"], "urgency": "today",
            "household": {"people": 1, "children": 0, "lives_alone": True,
                          "disability_or_long_term_condition": False,
                          "no_internet_access": False},
            "location": {"ward_code": area.ward_code, "lsoa_code": area.code,
                         "resolved": True},
            "resident_key": None, "previous_contacts_12m": 0,
            "consent": {"lawful_basis": "public_task", "share_with_partners": False,
                        "terms_version": "2026-10"}})
        producer = EventProducer(kafka_bootstrap, client_id="column-limits")
        assert all(producer.send_all([encode(case, source="urn:test")]))
        producer.close()
        url = f"{server.url}/v1/cases/{case.case_id}"
        deadline = time.monotonic() + 60
        while httpx.get(f"{url}/score", headers=staff).status_code == 404:
            assert time.monotonic() < deadline, "the case was never scored"
            time.sleep(0.3)
        reason = "Needs help with shopping this week. " + "w" * (limit - 36)
        assert len(reason) == limit
        response = httpx.post(f"{url}/band-override", json={"band": "urgent", "reason": reason},
                              headers=staff, timeout=30)
        assert response.status_code == 201, response.text
        kept = httpx.get(f"{url}/band-overrides", headers=staff).json()
        assert kept[-1]["reason"] == reason
        assert kept[-1]["overridden_by"] == _key_name("staff")


@pytest.fixture
def qr(postgres_url: str) -> Iterator[TestClient]:
    with TestClient(create_qr(_qr_settings(postgres_url)),
                    raise_server_exceptions=False) as client:
        yield client


@pytest.mark.postgres
def test_qr_events_stores_every_string_at_its_api_maximum_on_postgresql(
        qr: TestClient, documents: dict[str, dict[str, Any]]) -> None:
    """A code with every field at its maximum (an 8-character code, a 2000-character
    allow-listed URL, a 120-character venue, 40-character campaign and batch), re-pointed
    later and now to URLs as long, retired naming its replacement as typed (12
    characters), and its history, by a caller with the longest key name; then scans of a
    well-formed unknown code typed with hyphens, kept for the typo figures."""
    limits = string_inputs(documents["qr_events"])

    def limit(where: str) -> int:
        found = limits[where]
        assert found is not None, where
        return found

    def url(path: str) -> str:
        start = f"https://www.camden.gov.uk/{path}/"
        return start + "p" * (limit("POST /v1/codes body.destination.url") - len(start))

    store = qr.app.state.api_keys  # type: ignore[attr-defined]
    staff = {"Authorization": f"Bearer {store.create(_key_name('staff'), Role.STAFF)}"}
    campaign = "c" * limit("POST /v1/codes body.campaign")
    body = {"destination": {"kind": "url", "url": url("first")},
            "touchpoint": "sticker", "venue_name": "V" * limit("POST /v1/codes body.venue_name"),
            "ward": "E05000139", "campaign": campaign,
            "print_batch": "b" * limit("POST /v1/codes body.print_batch"),
            "valid_from": "2026-01-01T00:00:00+00:00",
            "valid_until": "2036-01-01T00:00:00+00:00"}
    assert len(body["touchpoint"]) == limit("POST /v1/codes body.touchpoint")
    assert len(body["ward"]) == limit("POST /v1/codes body.ward")
    made = qr.post("/v1/codes", json=body, headers=staff)
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    assert len(code) == SHORT_CODE_MAX
    replacement = qr.post("/v1/codes", json=body, headers=staff).json()["code"]
    typed = f"{replacement[:2]}-{replacement[2:4]}-{replacement[4:6]}--{replacement[6:]}"
    assert len(typed) == limit("POST /v1/codes/{code}/retire body.replacement")

    steps = [
        qr.post(f"/v1/codes/{code}/destination", headers=staff, json={
            "destination": {"kind": "url", "url": url("later")},
            "switch_at": "2035-01-01T00:00:00+00:00"}),
        qr.post(f"/v1/codes/{code}/destination", headers=staff, json={
            "destination": {"kind": "url", "url": url("now")}}),
        qr.post(f"/v1/codes/{code}/destination", headers=staff, json={
            "destination": {"kind": "url", "url": url("then")},
            "switch_at": "2035-01-01T00:00:00+00:00"}),
        qr.post(f"/v1/codes/{code}/retire", headers=staff,
                json={"replacement": typed.lower()}),
        qr.get(f"/v1/codes/{code}/history", headers=staff),
        qr.get("/v1/codes", params={"campaign": campaign, "after": "3" * SHORT_CODE_MAX},
               headers=staff),
        qr.get(f"/v1/campaigns/{campaign}/stats", headers=staff),
    ]
    assert [r.status_code for r in steps] == [200] * 7, [r.text[:300] for r in steps]
    assert {c["actor"] for c in steps[4].json()["changes"]} == {_key_name("staff")}

    unknown = "XXXXXXX" + check_character("XXXXXXX")
    scans = [qr.get(f"/q/{'-'.join(unknown).lower()}", follow_redirects=False),
             qr.head(f"/q/{unknown}?via=qr", follow_redirects=False),
             qr.get(f"/q/{code}?via=" + "q" * limit("GET /q/{code} query.via"),
                    follow_redirects=False),
             qr.get("/q/" + "x" * 500, follow_redirects=False)]
    assert [r.status_code for r in scans] == [404, 404, 410, 404]

    engine = qr.app.state.container.database.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT venue_name, destination_url, scheduled_url, campaign, print_batch, "
            "ward, touchpoint, replacement_code FROM codes WHERE short_code = :c"),
            {"c": code}).one()
        actors = set(conn.execute(text("SELECT actor FROM code_history")).scalars())
    assert row == (body["venue_name"], url("now"), url("then"), campaign,
                   body["print_batch"], "E05000139", "sticker", replacement)
    assert actors == {_key_name("staff")}
    deadline = time.monotonic() + 10  # the scan writer flushes every 0.2 s
    while True:
        with engine.connect() as conn:
            kept = list(conn.execute(text(
                "SELECT short_code FROM scans ORDER BY scanned_at")).scalars())
        if len(kept) == len(scans) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert kept == [unknown, unknown, code, None]


@pytest.mark.parametrize("port", ["99999", "abc"])
def test_qr_events_refuses_a_destination_it_cannot_publish_rather_than_failing(
        port: str, tmp_path: Path) -> None:
    """Every URL the codes API accepts within its limit must be storable and publishable;
    one that is not is a 422 naming the field, never a 500."""
    app = create_qr(_qr_settings(f"sqlite:///{tmp_path}/qr_events.db"))
    with TestClient(app, raise_server_exceptions=False) as client:
        staff = {"Authorization": "Bearer " + app.state.api_keys.create(
            "staff.limits", Role.STAFF)}
        made = client.post("/v1/codes", headers=staff, json={
            "destination": {"kind": "url", "url": f"https://www.camden.gov.uk:{port}/help"},
            "touchpoint": "poster", "ward": "E05000139", "campaign": "winter-2026",
            "print_batch": "libraries-001"})
    assert made.status_code == 422, made.text
