"""What an idempotency record may hold: hashes, and the first answer sealed under a key
that only a repeat of the request can give.

A repeat within the time to live must get the first answer again, and that answer holds
the resident's receipt token (and the review reason, which may quote the postcode). So
the answer is kept, but sealed: encrypted and authenticated under a key derived from the
Idempotency-Key itself, which is never stored. The record is found by a keyed hash of
that key, and a repeat is compared with the first request by a keyed MAC of its body.
Everything is derived through a server secret (the pseudonym secret, under a label of
its own), so the table alone confirms no guess of a key or a body; and a reader with the
secret too must still know (or guess) each Idempotency-Key, which clients draw at random.

Per record, from the server secret ``S``, the caller ``p`` and the key ``k``::

    root   = HMAC-SHA256(HMAC-SHA256(S, "civic.case_intake.idempotency"), [p, k])
    lookup = HMAC(root, "lookup")          the primary key
    mac    = HMAC(HMAC(root, "request"), canonical JSON body)
    sealed = 0x02 | nonce (12 random bytes) | AES-256-GCM(HMAC(root, "encrypt"), nonce,
                                                         body, associated data = lookup)

The associated data binds a sealed answer to its own record, so a row's answer copied
into another row does not open.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x02"
NONCE = 12  # AES-GCM's standard nonce; random, and one key seals a single answer
DEFAULT_TTL = timedelta(hours=24)


class SealBroken(RuntimeError):
    """A sealed answer failed its authentication: altered, or sealed under another key."""


def _mac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


@dataclass(frozen=True)
class IdempotentRequest:
    """One request sent with an Idempotency-Key: what finds, checks and seals its record."""

    lookup: str
    request_mac: str
    ttl: timedelta
    _encrypt: bytes = field(repr=False)

    def seal(self, answer: dict[str, Any]) -> bytes:
        plain = json.dumps(answer, sort_keys=True, separators=(",", ":")).encode()
        nonce = secrets.token_bytes(NONCE)
        return VERSION + nonce + AESGCM(self._encrypt).encrypt(nonce, plain,
                                                               self.lookup.encode())

    def open(self, sealed: bytes) -> dict[str, Any]:
        if len(sealed) <= 1 + NONCE or sealed[:1] != VERSION:
            raise SealBroken("the stored answer is not one this version sealed")
        nonce, cipher = sealed[1:1 + NONCE], sealed[1 + NONCE:]
        try:
            plain = AESGCM(self._encrypt).decrypt(nonce, cipher, self.lookup.encode())
        except InvalidTag:
            raise SealBroken("the stored answer does not open with this "
                             "Idempotency-Key") from None
        answer: dict[str, Any] = json.loads(plain)
        return answer


class IdempotencyKeys:
    """Turns (Idempotency-Key, caller, body) into an :class:`IdempotentRequest`."""

    def __init__(self, secret: str, ttl: timedelta = DEFAULT_TTL) -> None:
        if not secret:
            raise ValueError("the idempotency records need a server secret")
        if ttl <= timedelta(0):
            raise ValueError("the idempotency time to live must be positive")
        self._pepper = _mac(secret.encode(), b"civic.case_intake.idempotency")
        self.ttl = ttl

    def request(self, key: str, principal: str, body: dict[str, Any]) -> IdempotentRequest:
        root = _mac(self._pepper, json.dumps([principal, key]).encode())
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
        return IdempotentRequest(
            lookup=_mac(root, b"lookup").hex(),
            request_mac=hmac.new(_mac(root, b"request"), canonical.encode(),
                                 hashlib.sha256).hexdigest(),
            ttl=self.ttl, _encrypt=_mac(root, b"encrypt"))
