"""Erasure reaches every service, on a real broker, on SQLite and on PostgreSQL.

A case is filed through case intake after a QR code's scan (so QR events counts it as
that code's conversion) with a marker in every personal field, noted,
triaged, read with a purpose, claimed by a partner (who reads the contact details) and
released; need scoring scores it and staff override its band with a marker reason. Then
the case is erased in case intake. Once need scoring has handled the erasure, every
column of every row of every table of both services' databases, the files need scoring
keeps beside its stream, and everything the test put on the bus hold none of the
markers, and QR events' tables no longer hold the case's id.

Seen to fail with ``need_scoring.stream.erasures.forget_erased`` not deleting the
override decisions: the staff reason stayed in ``band_overrides``; and with QR events'
``case.erased`` handler not deleting the conversion.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, column, inspect, select, table, text

from case_intake.app import create_app as create_intake
from case_intake.settings import Settings as IntakeSettings
from civic.http.auth import Coverage, Role
from civic_testing import LiveServer
from civic_testing.bus_scanner import end_offsets, scan_bus
from civic_testing.markers import MARKER_STREET, MARKER_SURNAME, marker, marker_email
from need_scoring.app import create_app as create_scoring
from need_scoring.settings import POLICIES
from need_scoring.settings import Settings as ScoringSettings
from qr_events.app import create_app as create_qr
from qr_events.database import Base as QrTables
from qr_events.settings import Settings as QrSettings

pytestmark = [pytest.mark.broker, pytest.mark.slow]

# A postcode no other test files a case in (need scoring replays every case it finds).
POSTCODE = "NW3 2AB"
CONTACT = {"name": f"Ada {MARKER_SURNAME}", "phone": "07700 900461",
           "email": marker_email("ada"), "date_of_birth": "1961-04-02",
           "address": f"1 {MARKER_STREET}, London"}
CASE = {
    "channel": "phone", "categories": ["food", "medicine"], "urgency": "this_week",
    "household": {"people": 2, "children": 0, "lives_alone": False,
                  "disability_or_long_term_condition": True, "no_internet_access": True},
    "contact": CONTACT,
    "location": {"postcode": POSTCODE},
    "consent": {"lawful_basis": "public_task", "share_with_partners": True,
                "terms_version": "2026-10"},
    "details": f"{marker('DETAILS')}: lives by {POSTCODE}, no food since Monday.",
}
MARKERS = [MARKER_SURNAME, "MARKER", "07700 900461", "7700900461", "zz-marker",
           POSTCODE, POSTCODE.replace(" ", ""), "1961-04-02"]


def _dump(engine: Engine) -> str:
    """Every column of every row of every table in the service's database (on
    PostgreSQL, every schema but the server's own), as text."""
    found: list[str] = []
    with engine.connect() as conn:
        found_tables = inspect(conn)
        schemas: list[str | None] = [None] if conn.dialect.name == "sqlite" else [
            name for name in found_tables.get_schema_names()
            if name != "information_schema" and not name.startswith("pg_")]
        for schema in schemas:
            for name in found_tables.get_table_names(schema=schema):
                columns = [c["name"] for c in found_tables.get_columns(name, schema=schema)]
                query = select(*(column(c) for c in columns)).select_from(
                    table(name, schema=schema))
                found += [f"{schema or 'main'}.{name}: {tuple(row)}"
                          for row in conn.execute(query)]
    return "\n".join(found)


def _qr_tables(engine: Engine) -> str:
    """QR events' own tables only (on PostgreSQL the services share a database, and
    intake keeps the erased case's id in its record of the erasure)."""
    ours = set(QrTables.metadata.tables)
    return "\n".join(line for line in _dump(engine).splitlines()
                     if line.split(": ", 1)[0].split(".", 1)[1] in ours)


def _dump_all(*engines: Engine) -> str:
    """The services' databases, each row once (on PostgreSQL they share a database)."""
    return "\n".join(dict.fromkeys("\n".join(_dump(e) for e in engines).splitlines()))


def _left(dump: str, markers: list[str]) -> list[str]:
    """The lines of ``dump`` that hold any of ``markers``, in any case."""
    lowered = [m.lower() for m in markers]
    return [line for line in dump.splitlines() if any(m in line.lower() for m in lowered)]


def _files_holding(directory: Path, markers: list[str]) -> list[str]:
    wanted = [m.lower().encode() for m in markers]
    return [str(path) for path in directory.rglob("*") if path.is_file()
            and any(m in path.read_bytes().lower() for m in wanted)]


def _until(check: Callable[[], Any], timeout_s: float = 60, every_s: float = 0.2) -> Any:
    """Call ``check`` until it returns something true, or the time is up; return its
    last answer."""
    deadline = time.monotonic() + timeout_s
    while not (answer := check()) and time.monotonic() < deadline:
        time.sleep(every_s)
    return answer


def _services(database_url: str, tmp_path: Path, kafka_bootstrap: str
              ) -> tuple[Any, Any, Any, Path]:
    on_sqlite = database_url.startswith("sqlite")
    # Need scoring replays what is on the broker under a policy version of its own.
    policy = tmp_path / "policy.yaml"
    policy.write_text((POLICIES / "need-2026.11.yaml").read_text().replace(
        "version: need-2026.11", f"version: need-2026.11-erase{uuid.uuid4().hex[:6]}"))
    intake = create_intake(IntakeSettings(
        database_url=f"sqlite:///{tmp_path}/intake.db" if on_sqlite else database_url,
        kafka_bootstrap_servers=kafka_bootstrap, apply_topics=False, tune_gc=False))
    data_dir = tmp_path / "faust"
    scoring = create_scoring(ScoringSettings(
        database_url=f"sqlite:///{tmp_path}/scoring.db" if on_sqlite else database_url,
        kafka_bootstrap_servers=kafka_bootstrap, policy_file=policy, apply_topics=False,
        data_dir=data_dir, area_publish_seconds=1.0))
    qr = create_qr(QrSettings(
        database_url=f"sqlite:///{tmp_path}/qr.db" if on_sqlite else database_url,
        kafka_bootstrap_servers=kafka_bootstrap, apply_topics=False, tune_gc=False,
        consumer_group=f"qr-erasure-{uuid.uuid4().hex[:8]}"))
    return intake, scoring, qr, data_dir


def test_an_erased_case_leaves_no_trace_in_any_service(
        database_url: str, tmp_path: Path, kafka_bootstrap: str) -> None:
    since = end_offsets(kafka_bootstrap)  # the bus is checked from here on
    intake, scoring, qr, data_dir = _services(database_url, tmp_path, kafka_bootstrap)
    intake_keys, scoring_keys = intake.state.api_keys, scoring.state.api_keys
    qr_staff = {"Authorization": "Bearer " + qr.state.api_keys.create(
        "staff.erasure", Role.STAFF)}
    staff = {"Authorization": f"Bearer {intake_keys.create('staff.erasure', Role.STAFF)}"}
    partner = {"Authorization": "Bearer " + intake_keys.create(
        "partner.erasure", Role.PARTNER, coverage=Coverage.everything())}
    scoring_staff = {"Authorization": "Bearer " + scoring_keys.create(
        "staff.erasure", Role.STAFF)}
    with LiveServer(intake) as intake_server, LiveServer(scoring) as scoring_server, \
            LiveServer(qr) as qr_server:
        cases, scores = f"{intake_server.url}/v1/cases", f"{scoring_server.url}/v1/cases"
        code = httpx.post(f"{qr_server.url}/v1/codes", headers=qr_staff, json={
            "destination": {"kind": "intake_form"}, "touchpoint": "letter",
            "ward": "E05000139", "campaign": "erasure", "print_batch": "erasure-001"})
        assert code.status_code == 201, code.text
        filed = httpx.post(cases, json={**CASE, "source": f"qr-{code.json()['code'].lower()}"},
                           headers={**staff, "Idempotency-Key": "erasure-everywhere-01"})
        assert filed.status_code == 201, filed.text
        case_id, receipt = filed.json()["id"], filed.json()["receipt_token"]
        steps = [
            httpx.post(f"{cases}/{case_id}/notes", json={"text": marker("NOTE") + " rang"},
                       headers=staff),
            httpx.post(f"{cases}/{case_id}/status",
                       json={"to": "triaged", "reason": marker("TRIAGE") + " checked"},
                       headers=staff),
            httpx.get(f"{cases}/{case_id}", params={"purpose": marker("PURPOSE") + " call"},
                      headers=staff),
            httpx.post(f"{cases}/{case_id}/claim", headers=partner),
            httpx.get(f"{cases}/{case_id}/contact", headers=partner),
            httpx.post(f"{cases}/{case_id}/release",
                       json={"reason": marker("RELEASE") + " cannot help"}, headers=partner),
        ]
        assert [r.status_code for r in steps] == [201, 200, 200, 200, 200, 200], \
            [r.text for r in steps]

        scored = _until(lambda: httpx.get(f"{scores}/{case_id}/score",
                                          headers=scoring_staff).status_code == 200)
        assert scored, "need scoring did not score the case"
        qr_engine = qr.state.container.database.engine
        case_ids = [case_id, uuid.UUID(case_id).hex]  # how PostgreSQL and SQLite show it
        assert _until(lambda: _left(_qr_tables(qr_engine), case_ids), timeout_s=90), \
            "QR events did not count the case as the code's conversion"
        override = httpx.post(f"{scores}/{case_id}/band-override", headers=scoring_staff,
                              json={"band": "urgent",
                                    "reason": marker("OVERRIDE") + f" near {POSTCODE}"})
        assert override.status_code == 201, override.text
        listed = httpx.get(f"{scores}/{case_id}/band-overrides", headers=scoring_staff)
        assert listed.status_code == 200, listed.text

        intake_engine = intake.state.container.database.engine
        scoring_engine = scoring.state.container.database.engine
        with intake_engine.connect() as conn:  # the pseudonyms go too
            pseudonyms = [key for (key,) in conn.execute(text(
                "SELECT key FROM resident_keys WHERE case_id = :c"), {"c": case_id})]
        markers = [*MARKERS, receipt, *pseudonyms]
        before = _dump_all(intake_engine, scoring_engine)
        unseen = [m for m in (pseudonyms[0] if pseudonyms else "no pseudonym", MARKER_SURNAME,
                              marker("RELEASE"), marker("OVERRIDE")) if not _left(before, [m])]
        assert unseen == [], "the markers are stored where the test looks"

        erased = httpx.post(f"{cases}/{case_id}/erasure", headers=staff,
                            json={"reason": "Erasure request ER-2026-0107."})
        assert erased.status_code == 200, erased.text
        gone = _until(lambda: httpx.get(f"{scores}/{case_id}/score",
                                        headers=scoring_staff).status_code == 410)
        assert gone, "need scoring did not handle the erasure"
        # forgotten in need scoring's database just after the erasure's batch
        _until(lambda: not _left(_dump(scoring_engine), markers), timeout_s=30)

        left = _left(_dump_all(intake_engine, scoring_engine, qr_engine), markers)
        assert left == [], "\n".join(left)
        _until(lambda: not _left(_qr_tables(qr_engine), case_ids), timeout_s=30)
        assert _left(_qr_tables(qr_engine), case_ids) == []
    assert _files_holding(data_dir, markers) == []
    bus = scan_bus(kafka_bootstrap, since=since)
    assert bus.clean, bus.report()
