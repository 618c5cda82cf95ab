"""Keyed pseudonyms that link a resident's cases without revealing who they are.

Each identifier is normalised (so "07700 900123" and "+447700900123" agree) and put
through HMAC-SHA256 with a server secret. Without the secret a pseudonym cannot be
reversed or even confirmed by guessing, which a plain hash of a phone number could.

Normalisation starts with Unicode NFKC, so a number or an address typed with full-width
characters (as some phone keyboards and pasted text give) links with the plain one;
emails are then case-folded, and a phone number is digits 0-9 only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from datetime import date

PREFIX = "rk1_"


MIN_SECRET_LENGTH = 16


def normalise_phone(phone: str) -> str | None:
    """A UK number as its 10 or 11 digits from 0, or None. Digits other than 0-9 (after
    NFKC, which turns full-width digits into them) make it not a number we can link."""
    text = unicodedata.normalize("NFKC", phone)
    if any(c.isdigit() and c not in "0123456789" for c in text):
        return None
    digits = re.sub(r"[^0-9+]", "", text)
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    digits = digits.replace("+", "")
    return digits if 10 <= len(digits) <= 11 and digits.startswith("0") else None


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email).strip().casefold()


def normalise_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if c.isalpha() or c.isspace())
    return " ".join(letters.casefold().split())


class Pseudonymiser:
    def __init__(self, secret: str) -> None:
        # An empty or short key would make pseudonyms guessable by hashing candidates.
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"the pseudonym secret must be at least {MIN_SECRET_LENGTH} "
                             "characters")
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
