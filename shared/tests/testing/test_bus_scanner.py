"""The bus scanner's rules (``civic_testing.bus_scanner``): each catches what it is for,
and the strings a service does put on the bus pass.

Mutations seen to fail here: the phone rule without the +44 and 0044 forms; the
postcode rule with no inward code required (then "NW5", "NW1" and "v1" were flagged);
the phone rule without its trailing boundary (random hex digests were flagged); the
digits not checked against UK numbering (a zero-padded counter was flagged); the length
limit at 2000 instead of 200."""

from __future__ import annotations

import hashlib
import json
import random
import uuid

import pytest

from civic_testing.bus_rules import (
    MAX_STRING,
    broken_rules,
    check_record,
    mask,
    strings_in,
)
from civic_testing.markers import MARKER_SURNAME, marker, marker_email

CAUGHT = {
    "marker": [marker("NOTE") + " rang back", f"Ada {MARKER_SURNAME}",
               "1 Marker Street, London", "a zz-marker value", "mArKeR"],
    "uk-phone": ["07700 900461", "07700900461", "+44 7700 900461", "+447700900461",
                 "020 7974 4444", "(020) 7974 4444", "+44 (0)20 7974 4444",
                 "0044 20 7974 4444", "call 01632 960123 today", "tel:020-7974-4444",
                 "0300 123 4567"],
    "email": ["ada@example.org", "a.b+c@council.gov.uk", "write to x@y.co please",
              marker_email("ada")],
    "uk-postcode": ["NW1 0AA", "ZZ9 9ZZ", "ZZ99ZZ", "sw1a 1aa", "EC1A 1BB", "M1 1AE",
                    "W1A 0AX", "lives at B33 8TH.", "GIR 0AA", "postcode=NW50AA"],
    "long-string": ["x" * (MAX_STRING + 1), "A reason. " * 30],
}

HARMLESS = [
    # identifiers and codes
    "5b1f0c1e-0000-4000-8000-000000000001", "00000000-0000-4000-8000-077009004610",
    "01234567-0123-4567-8901-234567890123", "E05000128", "E01000001", "E01000947",
    "E02000001", "E09000007", "W05000001", "S01006506", "rk1_Qm9vb2JhYXo_-0123",
    # times
    "2026-11-26T15:00:00.123456+00:00", "2026-11-26T15:00:00Z", "2026-11-26",
    "2026-11-26 15:00:00", "1764171234567", "terms 2026-10", "00000000001", "0612345678",
    # event and transport vocabulary
    "civic.case.submitted.v1", "civic.case.scored.v1", "/civic/case-intake", "1.0",
    "application/json", "cases.submitted", "cases.scored.dlq", "need-scoring.2026-11",
    "need-scoring.2026-11-cases-changelog", "food", "this_week", "public_task", "phone",
    "staff.duty-desk", "ValueError", "12", "0", "__faust",
    # partial postcodes are allowed
    "NW5", "NW1", "E1", "SW1A", "an NW5 case", "NW1 area", "EC1A",
    "x" * MAX_STRING,
]


@pytest.mark.parametrize(("rule", "text"),
                         [(rule, text) for rule, texts in CAUGHT.items() for text in texts])
def test_each_rule_catches_what_it_is_for(rule: str, text: str) -> None:
    assert rule in broken_rules(text)


@pytest.mark.parametrize("text", HARMLESS)
def test_what_services_put_on_the_bus_passes(text: str) -> None:
    assert broken_rules(text) == []


def test_random_identifiers_tokens_and_digests_pass() -> None:
    """Many random UUIDs, url-safe tokens and hex digests: none looks like a phone
    number or a postcode."""
    rng = random.Random(20261126)
    samples = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(3000)]
    samples += [hashlib.sha256(rng.randbytes(16)).hexdigest() for _ in range(3000)]
    samples += ["rk1_" + rng.randbytes(32).hex() for _ in range(1000)]
    samples += [f"{rng.randint(0, 10**12)}" for _ in range(1000)]
    flagged = [s for s in samples if broken_rules(s)]
    assert flagged == []


def test_a_uuid_whose_digits_look_like_a_phone_number_passes() -> None:
    assert broken_rules("07700900-4610-4000-8000-077009004610") == []


def test_mask_never_shows_the_value() -> None:
    assert "900461" not in mask("07700 900461")
    assert mask("07700 900461").endswith("[12 chars]")
    assert mask("NW10AA") == "…[6 chars]"


def test_strings_are_found_everywhere_in_a_message_keys_included() -> None:
    found = dict(strings_in({"a": [1, "x", {"b": "y"}], "NW1 0AA": None}))
    assert found["$.a[1]"] == "x"
    assert found["$.a[2].b"] == "y"
    assert "NW1 0AA" in found.values()


def test_a_record_is_checked_in_key_value_and_headers() -> None:
    value = json.dumps({"data": {"case_id": str(uuid.uuid4()),
                                 "reason": marker("OVERRIDE") + " see notes"}}).encode()
    violations = check_record("cases.scored", 2, 41, b"ada@example.org", value,
                              [("ce_type", b"civic.case.scored.v1"),
                               ("civic_dlq_reason", b"bad phone 07700 900461")],
                              timestamp_ms=1)
    assert {(v.where, v.rule) for v in violations} == {
        ("key", "email"), ("value $.data.reason", "marker"),
        ("header civic_dlq_reason", "uk-phone")}
    assert all((v.topic, v.partition, v.offset) == ("cases.scored", 2, 41)
               for v in violations)
    assert "900461" not in " ".join(str(v) for v in violations)


def test_undecodable_bytes_are_checked_as_text() -> None:
    violations = check_record("t", 0, 0, None, b"\xff\xfeNW1 0AA", [])
    assert [v.rule for v in violations] == ["uk-postcode"]
