"""HMAC-SHA256 signatures for the staff session cookie and the CSRF tokens.

The standard library's ``hmac`` (itsdangerous is not among the dependencies). Each use
has its own purpose string, so a value signed for one use is refused for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

MAX_SIGNED_LENGTH = 256  # a cookie longer than any we set is refused unread


def mac(secret: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(secret, f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def mac_matches(secret: bytes, purpose: str, value: str, given: str | None) -> bool:
    """Constant-time: does ``given`` sign ``value`` for ``purpose``?"""
    return equal(mac(secret, purpose, value), given)


def equal(expected: str, given: str | None) -> bool:
    """Constant-time string equality; a missing or oversized value is unequal."""
    if not given or len(given) > MAX_SIGNED_LENGTH:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def sign(secret: bytes, purpose: str, value: str) -> str:
    """``value.signature``; ``value`` must not contain a dot."""
    return f"{value}.{mac(secret, purpose, value)}"


def unsign(secret: bytes, purpose: str, signed: str | None) -> str | None:
    """The value if its signature holds, else None (tampered, truncated or foreign)."""
    if not signed or len(signed) > MAX_SIGNED_LENGTH:
        return None
    value, dot, signature = signed.rpartition(".")
    if not dot or not value or not mac_matches(secret, purpose, value, signature):
        return None
    return value


def hash_token(token: str) -> str:
    """What the database keeps of a session token: its SHA-256, never the token. A
    256-bit random token needs no slow hash."""
    return hashlib.sha256(token.encode()).hexdigest()
