"""civic.http.auth on a real database (SQLite and PostgreSQL): API keys admit only their
roles, a revoked key is refused, and the database never holds a key, only its hash."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from civic.db import api_keys, make_engine, metadata
from civic.http import problems
from civic.http.auth import KEY_PREFIX, ApiKeyStore, Principal, Role, require
from civic.http.problems import PROBLEM_JSON, TYPE_BASE


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
