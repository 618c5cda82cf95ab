"""API keys with roles. Keys are random 256-bit secrets shown once; only their SHA-256
is stored (a slow password hash buys nothing for a secret with that much entropy).
A partner key carries its coverage (wards, categories); without one it covers nothing."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import anyio.to_thread
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, insert, select, update

from civic.db import api_keys
from civic.errors import NotFound
from civic.http.coverage import Coverage as Coverage  # exported: callers import it here
from civic.http.coverage import coverage_columns, from_columns
from civic.http.problems import Problem

if TYPE_CHECKING:
    from civic.http.directory import PartnerDirectory

KEY_PREFIX = "civic_"


class Role(StrEnum):
    RESIDENT = "resident"  # a person using the public form; never holds an API key
    STAFF = "staff"
    PARTNER = "partner"
    OPS = "ops"


@dataclass(frozen=True)
class Principal:
    name: str  # an opaque actor id such as "staff.duty-desk" or "partner.foodbank"
    role: Role
    # a partner's wards and categories; None covers nothing (and other roles have none)
    coverage: Coverage | None = None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class ApiKeyStore:
    """Keys in the service's database, with lookups cached for a few seconds: a hot path
    on every request. Revoking or changing coverage here clears this process's cache at
    once; other processes see the change within ``cache_seconds``.

    With a ``directory`` (partner keys issued by partner notifications), a key is looked
    for there first, in memory and uncached, so a revocation there is never outlived by
    this cache; keys of this service's own database come after, except a partner's that
    the directory knows: that partner's keys are the directory's alone, so a copy kept
    here by hand can't outlive a revocation there."""

    def __init__(self, engine: Engine, cache_seconds: float = 10.0, *,
                 directory: PartnerDirectory | None = None) -> None:
        self._engine = engine
        self._cache_seconds = cache_seconds
        self.directory = directory
        self._cache: dict[str, tuple[float, Principal | None]] = {}

    def create(self, name: str, role: Role, key: str | None = None, *,
               coverage: Coverage | None = None) -> str:
        """Store a key (a fresh one unless given) and return it; it is not kept. Only a
        partner key takes a coverage; unknown wards or categories are refused."""
        key = key or new_key()
        columns = coverage_columns(role, coverage)
        with self._engine.begin() as conn:
            conn.execute(insert(api_keys).values(name=name, role=role.value,
                                                 key_hash=hash_key(key),
                                                 created_at=datetime.now(UTC), **columns))
        return key

    def set_coverage(self, name: str, coverage: Coverage | None) -> None:
        """Change (or, with None, remove) a live partner key's coverage. This process
        sees it at once; other processes within ``cache_seconds``."""
        with self._engine.begin() as conn:
            role = conn.scalar(select(api_keys.c.role).where(
                api_keys.c.name == name, api_keys.c.revoked_at.is_(None)))
            if role is None:
                raise _no_key(name)
            conn.execute(update(api_keys).where(api_keys.c.name == name)
                         .values(**coverage_columns(Role(role), coverage)))
        self._cache.clear()

    def coverage_of(self, name: str) -> Coverage | None:
        """A live key's coverage, as stored (None: it covers nothing)."""
        with self._engine.connect() as conn:
            row = conn.execute(select(api_keys.c.coverage_wards,
                                      api_keys.c.coverage_categories).where(
                api_keys.c.name == name, api_keys.c.revoked_at.is_(None))).first()
        if row is None:
            raise _no_key(name)
        return from_columns(row.coverage_wards, row.coverage_categories)

    def revoke(self, name: str) -> bool:
        with self._engine.begin() as conn:
            result = conn.execute(update(api_keys).where(api_keys.c.name == name,
                                                         api_keys.c.revoked_at.is_(None))
                                  .values(revoked_at=datetime.now(UTC)))
        self._cache.clear()
        return result.rowcount > 0

    def clear_cache(self) -> None:
        """After a change to ``api_keys`` made outside this store (partner notifications
        changes a partner's key in the transaction that publishes its directory record)."""
        self._cache.clear()

    def cached(self, key: str) -> tuple[bool, Principal | None]:
        """(found in cache, principal): lets async callers skip a thread on a hit."""
        digest = hash_key(key)
        if self.directory is not None and (known := self.directory.principal_for(digest)):
            return True, known
        entry = self._cache.get(digest)
        if entry is not None and entry[0] > time.monotonic():
            return True, entry[1]
        return False, None

    def lookup(self, key: str) -> Principal | None:
        return self.lookup_hash(hash_key(key))

    def lookup_hash(self, digest: str) -> Principal | None:
        """As ``lookup``, by the key's SHA-256: for a caller that keeps only the hash
        (a staff session checks on each request that its key is still live)."""
        if self.directory is not None and (known := self.directory.principal_for(digest)):
            return known
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        principal = self._lookup(digest)
        if len(self._cache) > 10_000:  # bound memory against floods of random keys
            self._cache.clear()
        self._cache[digest] = (now + self._cache_seconds, principal)
        return principal

    def _lookup(self, digest: str) -> Principal | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(api_keys.c.name, api_keys.c.role,
                                      api_keys.c.coverage_wards,
                                      api_keys.c.coverage_categories).where(
                api_keys.c.key_hash == digest, api_keys.c.revoked_at.is_(None))).first()
        if row is None:
            return None
        role = Role(row.role)
        if role == Role.PARTNER and self.directory is not None and self.directory.knows(row.name):
            return None  # a partner the directory knows is the directory's alone
        coverage = (from_columns(row.coverage_wards, row.coverage_categories)
                    if role == Role.PARTNER else None)
        return Principal(row.name, role, coverage)


def _no_key(name: str) -> NotFound:
    return NotFound("No such key", f"no live API key is named {name}", slug="key-not-found")


# Well-known keys for `make dev` only: every service seeds the same ones, so the demo
# works across services with one key per role. Seeding refuses to run in production.
# staff.case-intake is case intake's own key at need scoring (band overrides from its
# case page, relayed for the signed-in member of staff), apart from any person's key.
DEV_KEYS = {"staff.demo": (Role.STAFF, "civic_dev_staff_key"),
            "partner.demo-foodbank": (Role.PARTNER, "civic_dev_partner_key"),
            "ops.demo": (Role.OPS, "civic_dev_ops_key"),
            "staff.case-intake": (Role.STAFF, "civic_dev_case_intake_key")}


def ensure_dev_keys(engine: Engine) -> None:
    """The dev keys; the dev partner covers every ward and category (`make dev`)."""
    store = ApiKeyStore(engine)
    with engine.connect() as conn:
        existing = {row.name: row for row in conn.execute(select(
            api_keys.c.name, api_keys.c.revoked_at, api_keys.c.coverage_wards))}
    for name, (role, key) in DEV_KEYS.items():
        coverage = Coverage.everything() if role == Role.PARTNER else None
        row = existing.get(name)
        if row is None:
            store.create(name, role, key, coverage=coverage)
        elif coverage and row.revoked_at is None and row.coverage_wards is None:
            store.set_coverage(name, coverage)  # a dev database from before coverage


_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: <API key>")


def _unauthorised(detail: str) -> Problem:
    return Problem(401, "Unauthorised", detail, slug="unauthorised",
                   headers={"WWW-Authenticate": "Bearer"})


async def authenticate(store: ApiKeyStore, key: str | None) -> Principal:
    if not key:
        raise _unauthorised("An API key is required: send 'Authorization: Bearer <key>'.")
    hit, principal = store.cached(key)
    if not hit:
        # a database read: keep it off the event loop
        principal = await anyio.to_thread.run_sync(store.lookup, key)
    if principal is None:
        raise _unauthorised("The API key is not recognised or has been revoked.")
    return principal


def require(*roles: Role):  # type: ignore[no-untyped-def]
    """A dependency that admits only API keys with one of these roles."""
    allowed = set(roles)

    async def dependency(request: Request,
                         bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
                         header_key: str | None = Depends(_header)) -> Principal:
        key = bearer.credentials if bearer else header_key
        principal = await authenticate(request.app.state.api_keys, key)
        if principal.role not in allowed:
            raise Problem(403, "Forbidden",
                          f"This needs the {' or '.join(sorted(allowed))} role; "
                          f"the key has the {principal.role} role.", slug="forbidden")
        return principal

    return dependency
