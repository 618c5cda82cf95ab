"""Codes people can type: no look-alikes, any case, and a check character that catches
every single error and every swap of neighbours.

Mutations seen to fail: weights all 1 (a plain sum misses every swap), and the old
ISO 7064 hybrid over a 27-symbol alphabet (let 35,721 of 1.4 million errors through)."""

from __future__ import annotations

import random

import pytest

from civic.contracts.qr import CODE_ALPHABET
from qr_events.codes.identifiers import BadCode, check_character, new_code, normalise


def test_the_alphabet_has_no_look_alikes() -> None:
    assert not set("0O1IL5S2Z") & set(CODE_ALPHABET)
    assert len(CODE_ALPHABET) == 23


@pytest.mark.parametrize("length", [6, 7, 8])
def test_every_single_error_and_every_swap_of_neighbours_is_caught(length: int) -> None:
    rng = random.Random(length)
    for _ in range(300):
        code = new_code(length)
        code = code[:-1] + check_character(code[:-1])
        body = "".join(rng.choice(CODE_ALPHABET) for _ in range(length - 1))
        for candidate in (code, body + check_character(body)):
            for i in range(length):
                for other in CODE_ALPHABET.replace(candidate[i], ""):
                    typo = candidate[:i] + other + candidate[i + 1:]
                    with pytest.raises(BadCode):
                        normalise(typo)
            for i in range(length - 1):
                if candidate[i] != candidate[i + 1]:
                    swapped = (candidate[:i] + candidate[i + 1] + candidate[i]
                               + candidate[i + 2:])
                    with pytest.raises(BadCode):
                        normalise(swapped)


def test_codes_read_without_regard_to_case_spaces_or_hyphens() -> None:
    code = new_code()
    assert normalise(code.lower()) == code
    assert normalise(f" {code[:3]}-{code[3:]} ") == code


@pytest.mark.parametrize("text,why", [("ABC", "6 to 8"), ("ABCDEFGHJK", "6 to 8"),
                                      ("ABCDE0", "only the characters"),
                                      ("OOOOOO", "only the characters")])
def test_bad_codes_say_why(text: str, why: str) -> None:
    with pytest.raises(BadCode, match=why):
        normalise(text)


def test_new_codes_are_well_formed_and_sized() -> None:
    for length in (6, 7, 8):
        code = new_code(length)
        assert len(code) == length and normalise(code) == code
    with pytest.raises(ValueError):
        new_code(5)


@pytest.mark.parametrize("length", [6, 7, 8])
def test_no_code_issued_reads_as_personal_data_to_the_bus_scan(length: int) -> None:
    # About 1 random 6- or 7-character code in 600 is shaped like a postcode ("AH43XY"
    # failed a CI run's privacy scan of qr.scans); 20,000 draws would hold ~30 of them.
    # Seen to fail with the postcode check taken out of new_code.
    from civic_testing.bus_rules import broken_rules

    issued = [new_code(length) for _ in range(20_000)]
    assert [code for code in issued if broken_rules(code)] == []
    assert [code for code in issued if broken_rules(f"https://x.test/q/{code}")] == []


def test_postcode_shapes_are_recognised() -> None:
    from qr_events.codes.identifiers import looks_like_postcode

    assert all(map(looks_like_postcode, ["AH43XY", "NW13AX", "W1A4AA", "EC1A1BB"]))
    assert not any(map(looks_like_postcode, ["AH43XYW", "4AH3XY", "ACDEFH", "AH4XY3"]))
