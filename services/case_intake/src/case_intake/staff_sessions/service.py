"""Staff sessions for phone mode: sign in with a staff API key, then a signed, expiring
session cookie instead of the key itself.

- The cookie holds a random 256-bit token signed with the session secret; the database
  holds only the token's SHA-256, so neither a copy of the table nor a forged cookie
  signs anyone in.
- A session ends when it is signed out (its row is deleted), when it has been idle for
  ``idle``, when it is older than ``absolute``, or when its API key is revoked or stops
  being a staff key (checked on each request through the ``ApiKeyStore`` cache).
- Every staff form carries a CSRF token: derived from the session for signed-in forms,
  and a signed double-submit pair (pre-session cookie + hidden field) for sign-in.
- One instance serves one role (staff for phone mode, partners for their board). Each
  role signs its cookies and CSRF tokens for its own purposes, so a staff cookie never
  verifies as a partner's, and a session checks that its key still has that role.

Plain Python: the endpoints turn cookies and form fields into these calls.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from case_intake.staff_sessions import repository
from case_intake.staff_sessions.signing import (
    equal,
    hash_token,
    mac,
    mac_matches,
    sign,
    unsign,
)
from civic.db import write_lock
from civic.errors import NotAllowed
from civic.http.auth import ApiKeyStore, Principal, Role, hash_key

NONCE_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")


class Ended(StrEnum):
    """Why a session cookie that was sent signs no one in."""

    ENDED = "ended"  # signed out, tampered with, or never issued
    IDLE = "idle"
    ABSOLUTE = "absolute"
    KEY_REVOKED = "key-revoked"


@dataclass(frozen=True)
class StaffSession:
    principal: Principal
    csrf_token: str  # for the hidden field of every form this session posts
    cookie: str = ""  # only from sign_in: the value to set in the browser's cookie


@dataclass(frozen=True)
class SessionCheck:
    session: StaffSession | None = None
    ended: Ended | None = None  # None with no session: no cookie was sent at all


def utc_now() -> datetime:
    return datetime.now(UTC)


class StaffSessionService:
    def __init__(self, engine: Engine, sessions: sessionmaker[Session], api_keys: ApiKeyStore,
                 *, secret: str, idle: timedelta, absolute: timedelta,
                 clock: Callable[[], datetime] = utc_now, role: Role = Role.STAFF) -> None:
        # Every role's sessions share one table, and each sign-in deletes the expired
        # rows of all of them: give every role's instance the same timeouts.
        self.role = role
        # for staff, the purposes staff cookies were signed for before partners signed
        # in too ("staff-session", ...), so no staff session ends with this change
        self._cookie_purpose = f"{role}-session"
        self._csrf_purpose = f"{role}-csrf"
        self._sign_in_purpose = f"{role}-sign-in-csrf"
        self.engine = engine
        self.sessions = sessions
        self.api_keys = api_keys
        self._secret = secret.encode()
        self.idle = idle
        self.absolute = absolute
        self.clock = clock  # tests move it instead of sleeping

    # -- sessions -----------------------------------------------------------------

    def sign_in(self, api_key: str, replacing: str | None = None) -> StaffSession:
        """A new session for a live key of this role; ``replacing`` (a cookie the browser
        still holds) is ended, so signing in never reuses a token. Expired sessions
        are deleted here, so the table holds only live ones and a few stragglers."""
        principal = self.api_keys.lookup(api_key) if api_key else None
        if principal is None or principal.role != self.role:
            raise NotAllowed(f"Not a {self.role} key", f"Enter a {self.role} API key that "
                             "has not been revoked", slug=f"not-a-{self.role}-key")
        token = secrets.token_urlsafe(32)
        digest = hash_token(token)
        old = unsign(self._secret, self._cookie_purpose, replacing)
        now = self.clock()
        with write_lock(self.engine), self.sessions.begin() as session:
            repository.remove_expired(session, idle_before=now - self.idle,
                                      created_before=now - self.absolute)
            if old is not None:
                repository.remove(session, hash_token(old))
            repository.add(session, token_hash=digest, principal=principal.name,
                           key_hash=hash_key(api_key), now=now)
        return StaffSession(principal, self._csrf(digest),
                            sign(self._secret, self._cookie_purpose, token))

    def check(self, cookie: str | None, *, touch: bool = True) -> SessionCheck:
        """The live session a cookie names, marked as used now; or why there is none.
        A session found ended is deleted on the spot. ``touch=False`` (a page refreshing
        itself, not a person) leaves its idle clock running, so an open tab does not keep
        a session alive past its idle limit."""
        if not cookie:
            return SessionCheck()
        token = unsign(self._secret, self._cookie_purpose, cookie)
        if token is None:
            return SessionCheck(ended=Ended.ENDED)
        digest = hash_token(token)
        with self.sessions() as session:
            record = repository.get(session, digest)
            found = None if record is None else (record.created_at, record.last_seen_at,
                                                 record.key_hash, record.principal)
        if found is None:
            return SessionCheck(ended=Ended.ENDED)
        now = self.clock()
        outcome = self._still_live(*found, now=now)
        if isinstance(outcome, Principal) and not touch:
            return SessionCheck(StaffSession(outcome, self._csrf(digest)))
        with write_lock(self.engine), self.sessions.begin() as session:
            if isinstance(outcome, Principal):
                if repository.touch(session, digest, now):
                    return SessionCheck(StaffSession(outcome, self._csrf(digest)))
                return SessionCheck(ended=Ended.ENDED)  # signed out meanwhile
            repository.remove(session, digest)
        return SessionCheck(ended=outcome)

    def sign_out(self, cookie: str | None) -> None:
        token = unsign(self._secret, self._cookie_purpose, cookie)
        if token is None:
            return
        with write_lock(self.engine), self.sessions.begin() as session:
            repository.remove(session, hash_token(token))

    def _still_live(self, created_at: datetime, last_seen_at: datetime, key_hash: str,
                    name: str, *, now: datetime) -> Principal | Ended:
        if now - created_at >= self.absolute:
            return Ended.ABSOLUTE
        if now - last_seen_at >= self.idle:
            return Ended.IDLE
        principal = self.api_keys.lookup_hash(key_hash)
        if principal is None or principal.role != self.role or principal.name != name:
            return Ended.KEY_REVOKED
        return principal

    # -- CSRF -----------------------------------------------------------------------

    def _csrf(self, token_hash: str) -> str:
        # Bound to the session: another session's token, or one from before a sign-in,
        # does not match. Derived, so nothing more is stored.
        return mac(self._secret, self._csrf_purpose, token_hash)

    def csrf_matches(self, session: StaffSession, given: str | None) -> bool:
        return equal(session.csrf_token, given)

    def sign_in_form(self, nonce: str | None) -> tuple[str, str]:
        """(nonce, field) for the sign-in form, before any session exists: the nonce
        goes in a pre-session cookie, its signature in the form's hidden field. A nonce
        the browser already holds is kept, so two open tabs both work."""
        if not nonce or not NONCE_RE.fullmatch(nonce):
            nonce = secrets.token_urlsafe(32)
        return nonce, mac(self._secret, self._sign_in_purpose, nonce)

    def sign_in_form_matches(self, nonce: str | None, given: str | None) -> bool:
        """The signed double-submit check: the field signs the cookie's nonce. A
        cross-site form carries neither (SameSite=Strict) and cannot forge the field."""
        if not nonce or not NONCE_RE.fullmatch(nonce):
            return False
        return mac_matches(self._secret, self._sign_in_purpose, nonce, given)

