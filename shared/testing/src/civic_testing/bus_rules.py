"""The bus scanner's rules: which strings must not be on the bus, and how a message is
searched for them (:mod:`civic_testing.bus_scanner` reads the bus).

- ``marker``: a test's marker value (:mod:`civic_testing.markers`);
- ``uk-phone``: a UK phone number (``07700 900461``, ``+44 20 7974 4444``);
- ``email``: an email address;
- ``uk-postcode``: a full UK postcode, outward and inward code (``NW1 0AA``, ``ZZ99ZZ``);
  an outward district alone (``NW5``) is allowed, and ward or small-area codes
  (``E05000128``, ``E01000001``) are not postcodes;
- ``long-string``: a string longer than :data:`MAX_STRING` characters (free text).

UUIDs and ISO 8601 timestamps are taken out of a string before the phone and postcode
rules look at it, so their digits never look like a number. Keys, values and headers are
decoded (JSON where they parse, text otherwise) and every string in them, dictionary
keys included, is checked; a violation names where it is and masks the value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from civic_testing.markers import MARKER_PATTERN

MAX_STRING = 200
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                        r"(?:Z|[+-]\d{2}:?\d{2})?)?")
# 0 then 9 or 10 digits (or +44 / 0044 then 9 or 10), spaces, hyphens or brackets
# between them; not inside a longer run of letters and digits.
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)"
                    r"(?:[\s\-)]{0,2}\d){9,10}(?!\w)")
_EMAIL = re.compile(r"[\w.+\-']+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# Outward code (A9, A99, A9A, AA9, AA99, AA9A) then inward code (9AA); the letters C, I,
# K, M, O, V never end a postcode but are allowed here, to err on the side of catching.
_POSTCODE = re.compile(r"(?<![\w\-])(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*\d[A-Z]{2}(?![\w\-])",
                       re.IGNORECASE)

RULES = ("marker", "uk-phone", "email", "uk-postcode", "long-string")


def _without_harmless(text: str) -> str:
    return _TIMESTAMP.sub(" ", _UUID.sub(" ", text))


def _is_uk_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if candidate.lstrip("(").startswith(("+", "00")) and digits.startswith(("44", "0044")):
        digits = "0" + digits.removeprefix("00").removeprefix("44").removeprefix("0")
    # UK numbers start 01, 02, 03, 05, 07, 08 or 09 and have 10 or 11 digits.
    return len(digits) in (10, 11) and digits[0] == "0" and digits[1] in "1235789"


def broken_rules(text: str) -> list[str]:
    """The rules a string breaks, in :data:`RULES` order; [] when it is harmless."""
    broken = []
    if MARKER_PATTERN.search(text):
        broken.append("marker")
    rest = _without_harmless(text)
    if any(_is_uk_phone(m.group(0)) for m in _PHONE.finditer(rest)):
        broken.append("uk-phone")
    if _EMAIL.search(text):
        broken.append("email")
    if _POSTCODE.search(rest):
        broken.append("uk-postcode")
    if len(text) > MAX_STRING:
        broken.append("long-string")
    return broken


def mask(text: str) -> str:
    """Enough to recognise a value by, never the value: its first characters and length."""
    shown = repr(text[:3]) if len(text) > 6 else ""
    return f"{shown}…[{len(text)} chars]"


def strings_in(value: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """(path, string) for every string in a decoded JSON value, dictionary keys too."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            key_text = str(key)
            yield f"{path}.<key>", key_text
            yield from strings_in(item, f"{path}.{key_text}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from strings_in(item, f"{path}[{index}]")


def decode(raw: bytes | None) -> Any:
    """JSON when it parses, else the text (undecodable bytes replaced), else None."""
    if raw is None:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


@dataclass(frozen=True)
class Violation:
    topic: str
    partition: int
    offset: int
    where: str  # "key", "value $.data.reason", "header civic_dlq_reason"
    rule: str
    masked: str
    timestamp_ms: int | None = None
    test: str | None = None  # the test running when the message was produced

    def __str__(self) -> str:
        by = f" (produced during {self.test})" if self.test else ""
        return (f"{self.topic}[{self.partition}]@{self.offset} {self.where}: {self.rule}: "
                f"{self.masked}{by}")


def check_record(topic: str, partition: int, offset: int, key: bytes | None,
                 value: bytes | None, headers: Iterable[tuple[str, bytes | None]],
                 timestamp_ms: int | None = None) -> list[Violation]:
    """Every rule every string of one message breaks."""
    found: list[Violation] = []

    def check(where: str, decoded: Any, path: str = "$") -> None:
        for at, text in strings_in(decoded, path):
            for rule in broken_rules(text):
                label = where if at == "$" else f"{where} {at}"
                found.append(Violation(topic, partition, offset, label, rule, mask(text),
                                       timestamp_ms))

    check("key", decode(key))
    check("value", decode(value))
    for name, header in headers:
        check("header-name", name)
        check(f"header {name}", decode(header))
    return found
