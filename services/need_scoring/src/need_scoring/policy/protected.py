"""Fields no policy may use: protected characteristics and their common proxies.

The Equality Act 2010 protects age, disability, gender reassignment, marriage and civil
partnership, pregnancy and maternity, race (including colour, nationality and ethnic or
national origin), religion or belief, sex and sexual orientation. Disability is the one
exception the policy may use, as a yes/no need fact, to prioritise help (a reasonable
adjustment); it can raise a score, never lower it. Everything else here is refused by
name, and so are proxies that stand in for it (a name suggests sex and ethnicity, a
first language suggests nationality).
"""

from __future__ import annotations

import re

_PROTECTED: dict[str, str] = {}


def _protect(characteristic: str, *terms: str) -> None:
    for term in terms:
        _PROTECTED[term] = characteristic


_protect("race (ethnicity)", "ethnicity", "ethnic", "ethnic_origin", "race", "racial",
         "colour", "color", "skin")
_protect("race (nationality or immigration status)", "nationality", "national_origin",
         "citizenship", "citizen", "immigration", "immigration_status", "visa",
         "asylum", "refugee", "country_of_birth", "birth_country", "passport",
         "right_to_reside", "no_recourse_to_public_funds", "nrpf")
_protect("religion or belief", "religion", "religious", "belief", "faith",
         "place_of_worship", "halal", "kosher")
_protect("sex", "sex", "gender", "title", "pronouns", "pronoun")
_protect("gender reassignment", "gender_identity", "transgender", "trans",
         "gender_reassignment")
_protect("sexual orientation", "sexual_orientation", "sexuality", "orientation", "lgbt",
         "lgbtq")
_protect("pregnancy and maternity", "pregnancy", "pregnant", "maternity")
_protect("marriage and civil partnership", "marital_status", "married", "marriage",
         "civil_partnership", "spouse")
_protect("age", "age", "date_of_birth", "dob", "birth_year", "year_of_birth")
_protect("a proxy for race or nationality (language)", "language", "first_language",
         "main_language", "interpreter")
_protect("a proxy for sex and ethnicity (name)", "name", "first_name", "surname",
         "last_name", "family_name")


def protected_characteristic(field: str) -> str | None:
    """The characteristic a field name refers to, or None. Matches whole words and
    adjacent pairs of words, so 'household.gender_identity' and 'resident.age' are
    caught but 'usage' is not."""
    words = [w for w in re.split(r"[^a-z0-9]+", field.lower()) if w]
    candidates = ["_".join(words[i:i + n]) for n in (1, 2, 3)
                  for i in range(len(words) - n + 1)]
    # Longest match first, so 'gender_identity' names gender reassignment, not sex.
    for term in sorted(candidates, key=len, reverse=True):
        if term in _PROTECTED:
            return _PROTECTED[term]
    return None
