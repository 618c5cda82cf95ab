"""Who may call what: every endpoint of every service, called
over real HTTP by six callers (no key, a wrong key, staff, a partner whose coverage holds
the case, a partner whose coverage does not, ops), on PostgreSQL (the production
database; who may call what does not depend on the backend, and each service's own tests
run its key store on SQLite too), with the status of each cell asserted. A route without
a row here fails the test, so a new endpoint cannot ship without someone deciding who may
call it.

Mutations seen to fail here (in the table, as the services' files are not this test's to
break): QR events' ``GET /v1/codes/{code}/history`` expected open to ops (the service
refused ops: 403); ``GET /q/{code}`` expected to ask for a key (every caller was
redirected: 302); the ``HEAD /q/{code}`` rows or the ``/static`` row removed (the
coverage check named the route)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from case_intake.app import create_app as create_intake
from case_intake.settings import Settings as IntakeSettings
from civic.http.auth import Coverage, Role
from civic.kafka.broker import free_port
from civic_testing import LiveServer
from civic_testing.fixtures import fresh_postgres_or_skip
from need_scoring.app import create_app as create_scoring
from need_scoring.settings import POLICIES
from need_scoring.settings import Settings as ScoringSettings
from partner_notifications.app import create_app as create_partners
from partner_notifications.settings import Settings as PartnerSettings
from qr_events.app import create_app as create_qr
from qr_events.settings import Settings as QrSettings

from .authorisation_table import (
    CASE,
    CASE_WARD,
    CODE,
    INTAKE,
    OTHER_WARD,
    PARTNERS,
    QR,
    SCORING,
    Cell,
)

pytestmark = [pytest.mark.broker, pytest.mark.slow]

CALLERS = ("no key", "wrong key", "staff", "partner in scope", "partner out of scope", "ops")


@dataclass
class Callers:
    keys: dict[str, str | None]

    def headers(self, caller: str) -> dict[str, str]:
        key = self.keys[caller]
        return {"Authorization": f"Bearer {key}"} if key else {}


def make_keys(apps: list[Any]) -> dict[str, str | None]:
    """The six callers' keys, the same in each app's store (each service holds its own
    copy of the keys)."""
    keys: dict[str, str | None] = {"no key": None, "wrong key": "civic_not-a-key-anyone-holds"}
    in_scope = Coverage(wards=frozenset({CASE_WARD}), categories=frozenset({"food"}))
    out_of_scope = Coverage(wards=frozenset({OTHER_WARD}), categories=frozenset({"food"}))
    for app in apps:
        store = app.state.api_keys
        made = {"staff": store.create("staff.matrix", Role.STAFF, keys.get("staff")),
                "partner in scope": store.create("partner.in-scope", Role.PARTNER,
                                                 keys.get("partner in scope"),
                                                 coverage=in_scope),
                "partner out of scope": store.create("partner.out-of-scope", Role.PARTNER,
                                                     keys.get("partner out of scope"),
                                                     coverage=out_of_scope),
                "ops": store.create("ops.matrix", Role.OPS, keys.get("ops"))}
        keys.update(made)
    return keys


@dataclass
class Platform(Callers):
    intake: str
    scoring: str

    def as_staff(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = httpx.request(method, self.intake + path, headers=self.headers("staff"),
                                 timeout=10, **kwargs)
        assert response.is_success, f"{method} {path}: {response.text}"
        return response

    def new_case(self, state: str) -> dict[str, str]:
        """A fresh case in the state a cell needs, with the values its path takes."""
        if state == "none":
            return {}
        created = self.as_staff("POST", "/v1/cases", json=CASE).json()
        case_id = created["id"]
        values = {"case_id": case_id, "token": created["receipt_token"],
                  "service_request_id": case_id}
        if state in ("triaged", "claimed"):
            self.as_staff("POST", f"/v1/cases/{case_id}/status",
                          json={"to": "triaged", "reason": "checked by the duty desk"})
        if state == "claimed":
            claim = httpx.post(f"{self.intake}/v1/cases/{case_id}/claim",
                               headers=self.headers("partner in scope"), timeout=10)
            assert claim.status_code == 200, claim.text
        if state == "scored":
            self._wait_for_score(case_id)
        return values

    def _wait_for_score(self, case_id: str, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            response = httpx.get(f"{self.scoring}/v1/cases/{case_id}/score",
                                 headers=self.headers("staff"), timeout=10)
            if response.status_code == 200:
                return
            time.sleep(0.2)
        raise AssertionError(f"need scoring did not score {case_id} in {timeout_s}s")


@pytest.fixture
def database_url() -> Iterator[str]:
    """PostgreSQL only: the matrix takes a minute a backend, and answers the same."""
    yield from fresh_postgres_or_skip()


@pytest.fixture
def platform(kafka_bootstrap: str, database_url: str, tmp_path: Path) -> Iterator[Platform]:
    version = f"need-2026.11-authz{uuid.uuid4().hex[:6]}"
    policy = tmp_path / "policy.yaml"
    policy.write_text((POLICIES / "need-2026.11.yaml").read_text()
                      .replace("version: need-2026.11", f"version: {version}"))
    intake = create_intake(IntakeSettings(database_url=database_url,
                                          kafka_bootstrap_servers=kafka_bootstrap,
                                          apply_topics=False, tune_gc=False))
    scoring_db = (database_url if database_url.startswith("postgresql")
                  else f"sqlite:///{tmp_path}/scoring.db")
    scoring = create_scoring(ScoringSettings(
        database_url=scoring_db, kafka_bootstrap_servers=kafka_bootstrap,
        policy_file=policy, apply_topics=False, data_dir=tmp_path / "faust"))
    with LiveServer(intake) as intake_server, LiveServer(scoring) as scoring_server:
        yield Platform(keys=make_keys([intake, scoring]), intake=intake_server.url,
                       scoring=scoring_server.url)


@dataclass
class QrPlatform(Callers):
    url: str

    def as_staff(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = httpx.request(method, self.url + path, headers=self.headers("staff"),
                                 timeout=10, **kwargs)
        assert response.is_success, f"{method} {path}: {response.text}"
        return response

    def new_code(self, state: str) -> dict[str, str]:
        """A fresh code in the state a cell needs (none, active or retired), so one
        caller's retirement or re-pointing never meets the next caller."""
        if state == "none":
            return {}
        code = self.as_staff("POST", "/v1/codes", json=CODE).json()["code"]
        if state == "retired":
            self.as_staff("POST", f"/v1/codes/{code}/retire", json={})
        else:
            assert state == "active", state
        return {"code": code}


def qr_settings(database_url: str, kafka: str, public_base_url: str) -> QrSettings:
    return QrSettings(database_url=database_url, kafka_bootstrap_servers=kafka,
                      apply_topics=False, run_relay=False, run_consumers=False,
                      public_base_url=public_base_url)


@pytest.fixture
def qr(kafka_bootstrap: str, database_url: str, tmp_path: Path) -> Iterator[QrPlatform]:
    """QR events alone: nothing in its authorisation depends on another service. The
    real broker, so ``/readyz`` is ready; no relay or consumers, so nothing is
    published."""
    qr_db = (database_url if database_url.startswith("postgresql")
             else f"sqlite:///{tmp_path}/qr_events.db")
    port = free_port()
    app = create_qr(qr_settings(qr_db, kafka_bootstrap, f"http://127.0.0.1:{port}"))
    with LiveServer(app, port=port) as server:
        yield QrPlatform(keys=make_keys([app]), url=server.url)


@dataclass
class PartnersPlatform(Callers):
    url: str
    app: Any

    def delivery(self, subscription_id: str) -> str:
        """A message for that subscription, as matching an event would make it."""
        from datetime import UTC, datetime

        from partner_notifications.deliveries.models import Delivery

        now = datetime.now(UTC)
        delivery_id = uuid.uuid4()
        with self.app.state.container.database.sessions.begin() as session:
            session.add(Delivery(id=delivery_id, event_id=str(uuid.uuid4()),
                                 subscription_id=uuid.UUID(subscription_id),
                                 partner_id="partner.in-scope", webhook_type="ping",
                                 case_id=None, body="{}", status="dead", attempts=1,
                                 next_attempt_at=now, created_at=now))
        return str(delivery_id)

    def new_partner(self, state: str) -> dict[str, str]:
        """A fresh partner (with a live key for "keyed"), or a fresh subscription of the
        in-scope partner's, for the cells that act on one."""
        if state == "none":
            return {}
        if state in ("subscription", "delivery"):
            made = httpx.post(f"{self.url}/v1/subscriptions", timeout=10,
                              headers=self.headers("partner in scope"),
                              json={"url": "http://127.0.0.1:9/hooks", "event_types": ["ping"]})
            assert made.status_code == 201, made.text
            values = {"subscription_id": made.json()["id"]}
            if state == "delivery":
                values["delivery_id"] = self.delivery(values["subscription_id"])
            return values
        ops = self.headers("ops")
        made = httpx.post(f"{self.url}/v1/partners", headers=ops, timeout=10, json={
            "id": f"partner.matrix-{uuid.uuid4().hex[:10]}", "organisation": "Matrix Aid",
            "contact": "matrix@example.org", "wards": [CASE_WARD], "categories": ["food"]})
        assert made.status_code == 201, made.text
        partner_id = made.json()["id"]
        if state == "keyed":
            keyed = httpx.post(f"{self.url}/v1/partners/{partner_id}/key", headers=ops,
                               timeout=10)
            assert keyed.status_code == 201, keyed.text
        else:
            assert state == "partner", state
        return {"partner_id": partner_id}


def partner_settings(database_url: str, kafka: str) -> PartnerSettings:
    return PartnerSettings(database_url=database_url, kafka_bootstrap_servers=kafka,
                           apply_topics=False, run_relay=False, run_consumers=False,
                           run_worker=False)


@pytest.fixture
def partners(kafka_bootstrap: str, database_url: str, tmp_path: Path
             ) -> Iterator[PartnersPlatform]:
    """Partner notifications alone, with the two partner callers registered as partners
    (their keys made as every service's are). No relay: nothing is published."""
    db = (database_url if database_url.startswith("postgresql")
          else f"sqlite:///{tmp_path}/partner_notifications.db")
    app = create_partners(partner_settings(db, kafka_bootstrap))
    keys = make_keys([app])
    service = app.state.container.partners
    from civic.http.auth import Principal
    from partner_notifications.partners.schemas import PartnerIn

    for partner_id, ward in (("partner.in-scope", CASE_WARD), ("partner.out-of-scope",
                                                              OTHER_WARD)):
        service.register(PartnerIn.model_validate({
            "id": partner_id, "organisation": partner_id, "contact": "x@example.org",
            "wards": [ward], "categories": ["food"]}), Principal("ops.matrix", Role.OPS))
    with LiveServer(app) as server:
        yield PartnersPlatform(keys=keys, url=server.url, app=app)


def _call(base: str, cell: Cell, caller: str, platform: Callers,
          values: dict[str, str]) -> httpx.Response:
    path = cell.path.format(**values)
    headers = platform.headers(caller)
    kwargs: dict[str, Any] = dict(cell.request(caller, platform.keys[caller]))
    if cell.key_in_form:  # Open311 carries its key in the form, not a header
        headers = {}
    return httpx.request(cell.method, base + path, headers=headers, timeout=15,
                         follow_redirects=False, **kwargs)


def _check(base: str, table: list[Cell], platform: Callers,
           prepare: Callable[[str], dict[str, str]]) -> list[str]:
    wrong = []
    for cell in table:
        for caller, expected in zip(CALLERS, cell.expected, strict=True):
            values = prepare(cell.state)
            status = _call(base, cell, caller, platform, values).status_code
            if status != expected:
                wrong.append(f"{cell.method} {cell.path} as {caller}: {status}, "
                             f"expected {expected}")
    return wrong


def test_every_endpoint_answers_each_caller_as_the_table_says(platform: Platform) -> None:
    wrong = _check(platform.intake, INTAKE, platform, platform.new_case)
    wrong += _check(platform.scoring, SCORING, platform, platform.new_case)
    assert not wrong, "\n".join(wrong)


def test_qr_events_answers_each_caller_as_the_table_says(qr: QrPlatform) -> None:
    wrong = _check(qr.url, QR, qr, qr.new_code)
    assert not wrong, "\n".join(wrong)


def test_partner_notifications_answers_each_caller_as_the_table_says(
        partners: PartnersPlatform) -> None:
    wrong = _check(partners.url, PARTNERS, partners, partners.new_partner)
    assert not wrong, "\n".join(wrong)


def _every_route(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route, through the routers the app includes. HEAD counts
    where an endpoint declares it (QR events' short link), not where Starlette adds it
    to a GET by itself (the docs); a mounted folder of files counts as GET of its paths."""
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes, prefix + route.include_context.prefix)
            elif isinstance(route, Mount):
                found.add(("GET", f"{prefix}{route.path}/{{path}}"))
            elif getattr(route, "methods", None):
                declared = isinstance(route, APIRoute)
                found.update((method, prefix + route.path) for method in route.methods
                             if method != "HEAD" or declared)
    walk(app.router.routes, "")
    return found


def test_the_table_has_a_row_for_every_route_of_every_service(tmp_path: Path) -> None:
    """A route nobody decided on fails here, before it can ship."""
    nowhere = "127.0.0.1:9"  # the apps are built, never started
    intake = create_intake(IntakeSettings(database_url=f"sqlite:///{tmp_path}/intake.db",
                                          kafka_bootstrap_servers=nowhere, tune_gc=False))
    scoring = create_scoring(ScoringSettings(database_url=f"sqlite:///{tmp_path}/scoring.db",
                                             kafka_bootstrap_servers=nowhere,
                                             data_dir=tmp_path / "faust"))
    qr = create_qr(qr_settings(f"sqlite:///{tmp_path}/qr_events.db", nowhere,
                               "http://127.0.0.1:9"))
    partners = create_partners(partner_settings(f"sqlite:///{tmp_path}/partners.db", nowhere))
    for app, table in ((intake, INTAKE), (scoring, SCORING), (qr, QR), (partners, PARTNERS)):
        routes = _every_route(app)
        rows = {(cell.method, cell.path_template) for cell in table}
        missing = sorted(routes - rows)
        assert not missing, f"routes with no row in the authorisation table: {missing}"
        assert not rows - routes, f"rows for routes that no longer exist: {rows - routes}"
