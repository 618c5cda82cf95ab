"""Keyed pseudonyms that link a resident's cases without revealing who they are.

Each identifier is normalised (so "07700 900123" and "+447700900123" agree) and put
through HMAC-SHA256 with a server secret. Without the secret a pseudonym cannot be
reversed or even confirmed by guessing, which a plain hash of a phone number could.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from datetime import date

PREFIX = "rk1_"


def normalise_phone(phone: str) -> str | None:
    digits = re.sub(r"[^\d+]", "", phone)
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    digits = digits.replace("+", "")
    return digits if 10 <= len(digits) <= 11 and digits.startswith("0") else None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if c.isalpha() or c.isspace())
    return " ".join(letters.lower().split())


class Pseudonymiser:
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def _key(self, kind: str, value: str) -> str:
        digest = hmac.new(self._secret, f"{kind}:{value}".encode(), hashlib.sha256).digest()
        return PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def keys(self, *, phone: str | None, email: str | None, name: str | None,
             date_of_birth: date | None) -> list[str]:
        """Every pseudonym these identifiers give, strongest first."""
        keys = []
        if phone and (normalised := normalise_phone(phone)):
            keys.append(self._key("phone", normalised))
        if email:
            keys.append(self._key("email", normalise_email(email)))
        if name and date_of_birth:
            identity = f"{normalise_name(name)}|{date_of_birth.isoformat()}"
            keys.append(self._key("name_dob", identity))
        return keys
