"""Marker values: how a test labels data that must never leave the place it was put.

A test that checks where a resident's data goes (into a table, onto the bus, into a
log) writes recognisable values and then looks for them. They follow one convention,
so the bus scanner (:mod:`civic_testing.bus_scanner`) knows them everywhere:

- free text carries ``MARKER``: ``marker("NOTE")`` gives ``"MARKER-NOTE"``;
- a name carries the surname :data:`MARKER_SURNAME`;
- an email is at :data:`MARKER_EMAIL_DOMAIN`; a street is :data:`MARKER_STREET`.

:data:`MARKER_PATTERN` matches all of them, in any case (a value may be case-folded on
its way), and nothing a service writes by itself.
"""

from __future__ import annotations

import re

MARKER = "MARKER"
MARKER_SURNAME = "Quillfeather"
MARKER_EMAIL_DOMAIN = "zz-marker.example.org"
MARKER_STREET = "Marker Street"

MARKER_PATTERN = re.compile(r"marker|quillfeather", re.IGNORECASE)


def marker(label: str) -> str:
    """A free-text marker: ``marker("NOTE")`` is ``"MARKER-NOTE"``."""
    return f"{MARKER}-{label}"


def marker_email(local: str) -> str:
    return f"{local}@{MARKER_EMAIL_DOMAIN}"
