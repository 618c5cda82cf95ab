"""Staff sessions on SQLite and PostgreSQL: sign-out revokes, idle and absolute timeouts
end a session (a clock is moved, nothing sleeps), a tampered cookie signs no one in,
revoking the key ends its sessions, and the database holds only hashes.

Each guarantee was seen to fail once with it broken; the mutation is in the docstring."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from case_intake.database import schema
from case_intake.staff_sessions.service import Ended, StaffSession, StaffSessionService
from civic.db import ServiceDatabase
from civic.errors import NotAllowed
from civic.http.auth import ApiKeyStore, Role

SECRET = "a-test-session-secret-of-at-least-32-chars"
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class World:
    database: ServiceDatabase
    keys: ApiKeyStore
    service: StaffSessionService
    clock: Clock
    key: str

    def rows(self) -> list[dict[str, object]]:
        with self.database.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM staff_sessions"))]


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    database = ServiceDatabase(schema(), database_url)
    database.migrate()
    keys = ApiKeyStore(database.engine)
    clock = Clock()
    service = StaffSessionService(database.engine, database.sessions, keys, secret=SECRET,
                                  idle=timedelta(minutes=30), absolute=timedelta(hours=12),
                                  clock=clock)
    try:
        yield World(database, keys, service, clock, keys.create("staff.phone", Role.STAFF))
    finally:
        database.dispose()


def _token(session: StaffSession) -> str:
    return session.cookie.rpartition(".")[0]


def test_a_session_signs_in_and_is_checked(world: World) -> None:
    started = world.service.sign_in(world.key)
    check = world.service.check(started.cookie)
    assert check.session is not None and check.ended is None
    assert check.session.principal.name == "staff.phone"
    assert check.session.csrf_token == started.csrf_token
    assert world.service.check(None).session is None
    assert world.service.check(None).ended is None  # no cookie: nothing ended


def test_only_a_hash_of_the_session_token_is_stored(world: World) -> None:
    """Seen to fail when the repository stored the token itself as token_hash."""
    started = world.service.sign_in(world.key)
    token = _token(started)
    (row,) = world.rows()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert row["key_hash"] == hashlib.sha256(world.key.encode()).hexdigest()
    stored = " ".join(str(v) for v in row.values())
    for secret in (token, started.cookie, world.key, started.csrf_token):
        assert secret not in stored


def test_sign_out_revokes_the_session(world: World) -> None:
    """Seen to fail when sign_out deleted nothing (the cookie went on working)."""
    started = world.service.sign_in(world.key)
    world.service.sign_out(started.cookie)
    check = world.service.check(started.cookie)
    assert check.session is None and check.ended is Ended.ENDED
    assert world.rows() == []


def test_an_idle_session_ends_and_its_row_goes(world: World) -> None:
    """Seen to fail with the idle check removed, and with touch() not moving
    last_seen_at (a busy session then ended after 30 minutes)."""
    started = world.service.sign_in(world.key)
    for _ in range(4):  # used every 29 minutes: stays alive well past 30
        world.clock.move(minutes=29)
        assert world.service.check(started.cookie).session is not None
    world.clock.move(minutes=30)
    check = world.service.check(started.cookie)
    assert check.session is None and check.ended is Ended.IDLE
    assert world.rows() == []
    assert world.service.check(started.cookie).ended is Ended.ENDED


def test_a_page_refreshing_itself_does_not_keep_a_session_alive(world: World) -> None:
    """The queue and the board refresh every few seconds with JavaScript on (live.js,
    touch=False); an open tab left alone must still end at the idle limit. Seen to fail
    with touch ignored (refreshes kept the session alive)."""
    started = world.service.sign_in(world.key)
    for _ in range(5):
        world.clock.move(minutes=5)
        assert world.service.check(started.cookie, touch=False).session is not None
    world.clock.move(minutes=5)
    check = world.service.check(started.cookie, touch=False)
    assert check.session is None and check.ended is Ended.IDLE


def test_a_busy_session_ends_at_the_absolute_timeout(world: World) -> None:
    """Seen to fail with the absolute check removed (touching kept it alive forever)."""
    started = world.service.sign_in(world.key)
    while world.clock.now < T0 + timedelta(hours=12) - timedelta(minutes=20):
        world.clock.move(minutes=20)
        assert world.service.check(started.cookie).session is not None
    world.clock.move(minutes=20)
    check = world.service.check(started.cookie)
    assert check.session is None and check.ended is Ended.ABSOLUTE
    assert world.rows() == []


def test_a_tampered_or_foreign_cookie_signs_no_one_in(world: World) -> None:
    """Seen to fail when check() skipped the signature and looked the token up alone."""
    started = world.service.sign_in(world.key)
    token, _, signature = started.cookie.rpartition(".")
    flipped = "A" if token[0] != "A" else "B"
    foreign = StaffSessionService(world.database.engine, world.database.sessions,
                                  world.keys, secret="another-secret-of-at-least-32-chars!!",
                                  idle=timedelta(minutes=30), absolute=timedelta(hours=12),
                                  clock=world.clock)
    for cookie in (token,  # the bare token, unsigned
                   f"{flipped}{token[1:]}.{signature}",  # another token, same signature
                   f"{token}.{signature[:-2]}",  # a cut signature
                   foreign.sign_in(world.key).cookie,  # signed with another secret
                   "x" * 5000, ".", "", f"{token}.{signature}é"):
        check = world.service.check(cookie)
        assert check.session is None, cookie
    assert world.service.check(started.cookie).session is not None


def test_revoking_the_key_ends_its_sessions(world: World) -> None:
    """Seen to fail when check() did not look the key up again."""
    started = world.service.sign_in(world.key)
    assert world.keys.revoke("staff.phone")
    check = world.service.check(started.cookie)
    assert check.session is None and check.ended is Ended.KEY_REVOKED
    assert world.rows() == []
    with pytest.raises(NotAllowed):
        world.service.sign_in(world.key)


def test_only_a_live_staff_key_signs_in(world: World) -> None:
    partner = world.keys.create("partner.foodbank", Role.PARTNER)
    for key in (partner, "", "civic_not-a-key"):
        with pytest.raises(NotAllowed):
            world.service.sign_in(key)
    assert world.rows() == []


def test_expired_sessions_are_deleted_at_sign_in(world: World) -> None:
    """Seen to fail with remove_expired() skipped: the table only grew."""
    world.service.sign_in(world.key)  # left idle
    kept = world.service.sign_in(world.key)
    world.clock.move(minutes=20)
    assert world.service.check(kept.cookie).session is not None
    world.clock.move(minutes=15)  # the first is 35 minutes idle, the second 15
    latest = world.service.sign_in(world.key)
    hashes = {row["token_hash"] for row in world.rows()}
    assert hashes == {hashlib.sha256(_token(s).encode()).hexdigest() for s in (kept, latest)}


def test_signing_in_again_ends_the_session_the_browser_held(world: World) -> None:
    first = world.service.sign_in(world.key)
    second = world.service.sign_in(world.key, replacing=first.cookie)
    assert world.service.check(first.cookie).ended is Ended.ENDED
    assert world.service.check(second.cookie).session is not None
    assert first.cookie != second.cookie


def test_csrf_tokens_are_bound_to_their_session_and_signed(world: World) -> None:
    """Seen to fail when csrf_matches() accepted any non-empty token."""
    one, two = world.service.sign_in(world.key), world.service.sign_in(world.key)
    assert world.service.csrf_matches(one, one.csrf_token)
    assert not world.service.csrf_matches(one, two.csrf_token)
    assert not world.service.csrf_matches(one, "")
    assert not world.service.csrf_matches(one, None)
    assert not world.service.csrf_matches(one, one.csrf_token[:-1] + "x")

    nonce, field = world.service.sign_in_form(None)
    assert world.service.sign_in_form(nonce) == (nonce, field)  # a second tab agrees
    assert world.service.sign_in_form_matches(nonce, field)
    other_nonce, other_field = world.service.sign_in_form("too-short")
    assert other_nonce != nonce
    assert not world.service.sign_in_form_matches(nonce, other_field)
    assert not world.service.sign_in_form_matches(None, field)
    assert not world.service.sign_in_form_matches(nonce, None)
    # the field is a signature, not a copy: a cookie and field an attacker picks fail
    assert not world.service.sign_in_form_matches(nonce, nonce)
