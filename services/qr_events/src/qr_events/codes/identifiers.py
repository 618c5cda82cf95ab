"""Short codes people can type as well as scan.

The alphabet has no look-alikes (``civic.contracts.qr.CODE_ALPHABET``), input is read
without regard to case, spaces or hyphens, and the last character is a check: the sum
of each symbol's value times its position (1, 2, ...) is 0 modulo 23, the alphabet's
size. Because 23 is prime and every weight and every difference of two symbols is below
it, a single wrong character changes the sum by weight x difference, never a multiple
of 23, and swapping neighbours changes it by the difference alone: both are always
caught, so a typo lands on the "check the code" page, never on someone else's code.
(ISO 7064's hybrid MOD 24,23 in python-stdnum was tried first: it let some swaps through.)
"""

from __future__ import annotations

import re
import secrets

from civic.contracts.qr import CODE_ALPHABET

MIN_LENGTH, MAX_LENGTH = 6, 8
_SEPARATORS = re.compile(r"[\s\-]+")
# A full UK postcode written without its space (outward code, then digit and two letters).
# About 1 random code in 600 has this shape; such a code is never issued, because on a
# poster it reads as an address and on the bus it is indistinguishable from one (the
# privacy scan of every topic flags postcodes, and rightly).
_POSTCODE_SHAPE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}")


class BadCode(ValueError):
    """Not a code: says why, without repeating more than the code's own characters."""


MODULUS = len(CODE_ALPHABET)  # 23, a prime
VALUE = {symbol: value for value, symbol in enumerate(CODE_ALPHABET)}


def check_character(body: str) -> str:
    """The symbol that makes sum((i + 1) * value) over the whole code 0 mod 23."""
    total = sum((i + 1) * VALUE[symbol] for i, symbol in enumerate(body))
    weight = len(body) + 1  # below 23, so it has an inverse mod 23
    return CODE_ALPHABET[(-total * pow(weight, -1, MODULUS)) % MODULUS]


def new_code(length: int = 7) -> str:
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(f"a code has {MIN_LENGTH} to {MAX_LENGTH} characters, not {length}")
    while True:
        body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length - 1))
        code = body + check_character(body)
        if not looks_like_postcode(code):
            return code


def looks_like_postcode(code: str) -> bool:
    return _POSTCODE_SHAPE.fullmatch(code) is not None


def normalise(text: str) -> str:
    """The canonical form of a typed code; raises BadCode if it can't be one."""
    code = _SEPARATORS.sub("", text).upper()
    if not MIN_LENGTH <= len(code) <= MAX_LENGTH:
        raise BadCode(f"a code has {MIN_LENGTH} to {MAX_LENGTH} characters")
    if any(c not in CODE_ALPHABET for c in code):
        raise BadCode(f"a code uses only the characters {CODE_ALPHABET}")
    if check_character(code[:-1]) != code[-1]:
        raise BadCode("the code's last character doesn't match the rest: check for a typo")
    return code


def well_formed(text: str) -> str | None:
    try:
        return normalise(text)
    except BadCode:
        return None
