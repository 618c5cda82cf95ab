"""The day's salt for device hashes: random, shared by every worker through the
database, and deleted once its day is over, so no hash can be recomputed or linked to
another day's. A device hash is HMAC-SHA256(salt, address and agent): it exists only to
count a device's repeat scans within the hour."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

from sqlalchemy.orm import Session

from qr_events.scans import repository


class DailySalts:
    def __init__(self) -> None:
        self._cached: tuple[date, bytes] | None = None

    def salt(self, session: Session, day: date) -> bytes:
        if self._cached is not None and self._cached[0] == day:
            return self._cached[1]
        salt = repository.salt_of(session, day)
        if salt is not None:
            self._cached = (day, salt)  # committed by an earlier transaction: settled
            return salt
        # Every worker may try; the first insert wins and the others read it back. Not
        # cached until a later batch reads it committed: if this transaction rolls back,
        # no worker keeps hashing with a salt nobody else has.
        repository.add_salt(session, day, secrets.token_bytes(32))
        salt = repository.salt_of(session, day)
        assert salt is not None
        return salt

    def forget_before(self, day: date) -> None:
        """At the end of a day, the salt goes from memory too."""
        if self._cached is not None and self._cached[0] < day:
            self._cached = None

    @staticmethod
    def device_hash(salt: bytes, client: str, user_agent: str) -> str:
        return hmac.new(salt, f"{client}\n{user_agent}".encode(), hashlib.sha256).hexdigest()
