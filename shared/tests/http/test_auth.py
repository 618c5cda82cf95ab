"""civic.http.auth on a real database (SQLite and PostgreSQL): API keys admit only their
roles, a revoked key is refused, and the database never holds a key, only its hash. A
partner key carries the coverage ops gave it (checked against the council's wards and the
categories), or none, which covers nothing."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from civic.contracts.common import Category
from civic.db import api_keys, make_engine, metadata
from civic.errors import InvalidInput, NotFound
from civic.http import problems
from civic.http.auth import (
    DEV_KEYS,
    KEY_PREFIX,
    ApiKeyStore,
    Coverage,
    Principal,
    Role,
    ensure_dev_keys,
    require,
)
from civic.http.problems import PROBLEM_JSON, TYPE_BASE
from civic.reference import geography


@dataclass
class Keys:
    engine: Engine
    store: ApiKeyStore
    staff: str
    partner: str


@pytest.fixture
def keys(database_url: str) -> Iterator[Keys]:
    engine = make_engine(database_url)
    metadata.create_all(engine)
    store = ApiKeyStore(engine)
    yield Keys(engine, store, store.create("staff.duty-desk", Role.STAFF),
               store.create("partner.foodbank", Role.PARTNER))
    engine.dispose()


@pytest.fixture
def client(keys: Keys) -> Iterator[TestClient]:
    app = FastAPI()
    problems.install(app)
    app.state.api_keys = keys.store

    @app.get("/staff")
    def staff_only(who: Principal = Depends(require(Role.STAFF))) -> dict[str, str]:
        return {"name": who.name, "role": who.role}

    @app.get("/either")
    def either(who: Principal = Depends(require(Role.STAFF, Role.PARTNER))) -> dict[str, str]:
        return {"name": who.name, "role": who.role}

    with TestClient(app) as client:
        yield client


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _refused(response, status: int, slug: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["type"] == TYPE_BASE + slug
    return body


def test_a_request_without_a_key_or_with_an_unknown_one_is_401(client, keys):
    for headers in ({}, _bearer(""), _bearer("civic_not-a-key"), {"X-API-Key": "nope"},
                    {"Authorization": keys.staff}):  # a key without the Bearer scheme
        response = client.get("/staff", headers=headers)
        _refused(response, 401, "unauthorised")
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_key_is_admitted_by_its_role_only(client, keys):
    ok = client.get("/staff", headers=_bearer(keys.staff))
    assert ok.status_code == 200
    assert ok.json() == {"name": "staff.duty-desk", "role": "staff"}
    assert client.get("/staff", headers={"X-API-Key": keys.staff}).status_code == 200

    body = _refused(client.get("/staff", headers=_bearer(keys.partner)), 403, "forbidden")
    assert "staff role" in body["detail"] and "partner role" in body["detail"]
    assert keys.partner not in body["detail"]
    either = client.get("/either", headers=_bearer(keys.partner))
    assert either.status_code == 200 and either.json()["role"] == "partner"


def test_a_revoked_key_is_refused(client, keys):
    """Mutation seen failing: ``_lookup`` without its ``revoked_at IS NULL`` condition."""
    assert client.get("/staff", headers=_bearer(keys.staff)).status_code == 200  # cached
    assert keys.store.revoke("staff.duty-desk") is True
    assert keys.store.revoke("staff.duty-desk") is False  # already revoked
    _refused(client.get("/staff", headers=_bearer(keys.staff)), 401, "unauthorised")
    # a fresh process, with nothing cached, refuses it too
    assert ApiKeyStore(keys.engine).lookup(keys.staff) is None
    assert client.get("/either", headers=_bearer(keys.partner)).status_code == 200


def test_another_process_sees_a_revocation_within_its_cache_time(keys):
    other = ApiKeyStore(keys.engine, cache_seconds=0.3)
    assert other.lookup(keys.partner) == Principal("partner.foodbank", Role.PARTNER)
    keys.store.revoke("partner.foodbank")
    assert other.lookup(keys.partner) is not None  # still cached, as documented
    time.sleep(0.35)
    assert other.lookup(keys.partner) is None


def test_only_a_hash_of_each_key_is_stored(keys):
    """Mutation seen failing: ``create`` storing ``key_hash=key``."""
    with keys.engine.connect() as conn:
        rows = conn.execute(select(api_keys)).mappings().all()
    assert {r["name"]: r["key_hash"] for r in rows} == {
        "staff.duty-desk": hashlib.sha256(keys.staff.encode()).hexdigest(),
        "partner.foodbank": hashlib.sha256(keys.partner.encode()).hexdigest()}
    stored = " ".join(str(v) for r in rows for v in r.values())
    assert keys.staff not in stored and keys.partner not in stored
    # keys are long random secrets, different every time
    for key in (keys.staff, keys.partner):
        assert key.startswith(KEY_PREFIX) and len(key) - len(KEY_PREFIX) >= 43
    assert keys.staff != keys.partner


BELSIZE, BLOOMSBURY = "E05000128", "E05000129"


def test_a_partner_key_carries_its_coverage_and_one_without_covers_nothing(keys):
    """The partner made in the fixture has no coverage: fail closed. Mutation seen
    failing: ``_lookup`` not reading the coverage columns."""
    assert keys.store.lookup(keys.partner) == Principal("partner.foodbank", Role.PARTNER, None)
    coverage = Coverage(frozenset({BELSIZE, BLOOMSBURY}), frozenset({"food", "money"}))
    key = keys.store.create("partner.scoped", Role.PARTNER, coverage=coverage)
    found = ApiKeyStore(keys.engine).lookup(key)
    assert found is not None and found.coverage == coverage
    assert found.coverage.covers_ward(BELSIZE) and not found.coverage.covers_ward(None)
    assert not found.coverage.covers_ward("E05000130")
    assert found.coverage.serves_any(["housing", "money"])
    assert not found.coverage.serves_any(["housing"])
    with keys.engine.connect() as conn:  # stored as JSON lists, sorted
        row = conn.execute(select(api_keys).where(api_keys.c.name == "partner.scoped")).one()
    assert row.coverage_wards == f'["{BELSIZE}", "{BLOOMSBURY}"]'
    assert row.coverage_categories == '["food", "money"]'


def test_unknown_wards_and_categories_are_refused_and_only_partners_take_coverage(keys):
    """Mutation seen failing: ``coverage_columns`` not calling ``check``."""
    with pytest.raises(InvalidInput, match="unknown ward codes: E05999999, W05000001"):
        keys.store.create("partner.bad", Role.PARTNER, coverage=Coverage(
            frozenset({BELSIZE, "E05999999", "W05000001"}), frozenset({"food"})))
    with pytest.raises(InvalidInput, match="unknown categories: Food, groceries"):
        keys.store.set_coverage("partner.foodbank", Coverage(
            frozenset({BELSIZE}), frozenset({"Food", "groceries"})))
    with pytest.raises(InvalidInput, match="only partner keys carry coverage"):
        keys.store.set_coverage("staff.duty-desk", Coverage(frozenset(), frozenset()))
    with keys.engine.connect() as conn:
        assert set(conn.scalars(select(api_keys.c.name))) == {"staff.duty-desk",
                                                              "partner.foodbank"}
    assert keys.store.coverage_of("partner.foodbank") is None


def test_a_coverage_change_is_seen_here_at_once_and_elsewhere_within_the_cache_time(keys):
    """Mutation seen failing: ``set_coverage`` not clearing this process's cache."""
    other = ApiKeyStore(keys.engine, cache_seconds=0.3)
    assert keys.store.lookup(keys.partner).coverage is None  # cached here and there
    assert other.lookup(keys.partner).coverage is None
    narrow = Coverage(frozenset({BELSIZE}), frozenset({"food"}))
    keys.store.set_coverage("partner.foodbank", narrow)
    assert keys.store.lookup(keys.partner).coverage == narrow
    assert other.lookup(keys.partner).coverage is None  # still cached, as documented
    time.sleep(0.35)
    assert other.lookup(keys.partner).coverage == narrow
    keys.store.set_coverage("partner.foodbank", None)
    assert keys.store.lookup(keys.partner).coverage is None
    keys.store.revoke("partner.foodbank")
    with pytest.raises(NotFound):
        keys.store.set_coverage("partner.foodbank", narrow)


def test_the_dev_partner_covers_every_ward_and_category(keys):
    """So `make dev` can claim any seeded case; a dev database from before coverage
    gets it on the next seed, and a second seed changes nothing."""
    ensure_dev_keys(keys.engine)
    partner = ApiKeyStore(keys.engine).lookup(DEV_KEYS["partner.demo-foodbank"][1])
    assert partner is not None and partner.coverage == Coverage(
        frozenset(geography().wards), frozenset(c.value for c in Category))
    assert len(partner.coverage.wards) == 18  # Camden's wards
    assert ApiKeyStore(keys.engine).lookup("civic_dev_staff_key").coverage is None
    with keys.engine.begin() as conn:  # as a database from before coverage holds it
        conn.execute(api_keys.update().values(coverage_wards=None, coverage_categories=None))
    ensure_dev_keys(keys.engine)
    ensure_dev_keys(keys.engine)
    again = ApiKeyStore(keys.engine).lookup(DEV_KEYS["partner.demo-foodbank"][1])
    assert again == partner
