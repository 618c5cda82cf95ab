"""A partner claims only triaged cases inside its coverage: the case's ward is one of the
key's wards and at least one of its categories is one of the key's. Everything else is a
403 that says why, and changes nothing. Through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

# The tests' usual case (NW1 0AA, food and money) lies in Regent's Park ward.
CASE_WARD, OTHER_WARD = "E05000142", "E05000128"


def _claim(client, case_id, headers):  # type: ignore[no-untyped-def]
    return client.post(f"/v1/cases/{case_id}/claim", headers=headers)


def _refused(response, slug: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["type"] == f"https://civic-platform.example/problems/{slug}", body
    return str(body["detail"])


def test_a_partner_claims_a_triaged_case_in_its_ward_serving_one_of_its_categories(
        client, triaged_case, partner_key):
    """One category served is enough: the case is about food and money, the key only
    food. Mutation seen failing: ``serves_any`` asking for every category."""
    headers = partner_key("partner.food-only", wards={CASE_WARD, OTHER_WARD},
                          categories={"food"})
    response = _claim(client, triaged_case(), headers)
    assert response.status_code == 200, response.text
    assert response.json()["case"]["claimed_by"] == "partner.food-only"
    assert response.json()["contact"]["phone"] == "020 7974 4444"


def test_a_case_in_a_ward_outside_the_coverage_is_refused(client, triaged_case, partner_key,
                                                          status_of, audit_of):
    """Mutation seen failing: ``coverage_refusal`` without its ward check."""
    case_id = triaged_case()
    headers = partner_key("partner.belsize", wards={OTHER_WARD}, categories={"food", "money"})
    detail = _refused(_claim(client, case_id, headers), "ward-outside-coverage")
    assert "ward your key covers" in detail
    assert status_of(case_id) == ("triaged", None)
    assert audit_of(case_id) == []  # no contact details went anywhere


def test_a_case_none_of_whose_categories_the_partner_serves_is_refused(
        client, triaged_case, partner_key, status_of):
    """Mutation seen failing: ``coverage_refusal`` without its category check."""
    case_id = triaged_case()
    headers = partner_key("partner.housing", wards={CASE_WARD},
                          categories={"housing", "loneliness"})
    detail = _refused(_claim(client, case_id, headers), "categories-outside-coverage")
    assert "categories" in detail
    assert status_of(case_id) == ("triaged", None)


def test_a_case_without_a_ward_is_outside_every_coverage(client, triaged_case, as_,
                                                          status_of):
    """An unplaced case (a postcode not in the council's list) waits for staff to place
    it; even a partner covering every ward may not take it. Mutation seen failing:
    ``covers_ward`` answering True for no ward."""
    case_id = triaged_case(location={"postcode": "ZZ9 9ZZ"})
    detail = _refused(_claim(client, case_id, as_("partner")), "ward-outside-coverage")
    assert "not placed in a ward yet" in detail
    assert status_of(case_id) == ("triaged", None)


def test_a_partner_key_without_coverage_claims_nothing(client, triaged_case, partner_key,
                                                       status_of):
    """Fail closed: a key ops never gave coverage, and one given an empty coverage, both
    cover nothing. Mutation seen failing: ``coverage_refusal`` letting a key without
    coverage through."""
    case_id = triaged_case()
    unset = partner_key("partner.unset")
    detail = _refused(_claim(client, case_id, unset), "no-coverage")
    assert "ops" in detail
    empty = partner_key("partner.empty", wards=set(), categories=set())
    _refused(_claim(client, case_id, empty), "ward-outside-coverage")
    assert status_of(case_id) == ("triaged", None)


@pytest.mark.parametrize("moves", [(), ("withdrawn",), ("closed",), ("in_progress",),
                                   ("in_progress", "resolved")])
def test_only_a_triaged_case_can_be_claimed(client, new_case, as_, move, status_of, moves):
    """A 403 that says why, not the lifecycle's bare 409. Mutation seen failing:
    ``check_claim`` without its triaged check (the lifecycle still refused each, with
    a 409)."""
    case_id = new_case()["id"]
    if moves:
        move(case_id, *(["triaged"] if moves[0] == "in_progress" else []), *moves)
    before = status_of(case_id)
    _refused(_claim(client, case_id, as_("partner")), "not-triaged")
    assert status_of(case_id) == before


def test_a_partner_outside_the_coverage_learns_nothing_of_who_holds_a_case(
        client, triaged_case, as_, partner_key):
    """Coverage is checked first: a partner out of scope gets its 403, not the 409 that
    would tell it another partner holds the case."""
    case_id = triaged_case()
    assert _claim(client, case_id, as_("partner")).status_code == 200
    outside = partner_key("partner.elsewhere", wards={OTHER_WARD}, categories={"food"})
    _refused(_claim(client, case_id, outside), "ward-outside-coverage")
    inside = _claim(client, case_id, as_("other_partner"))
    assert inside.status_code == 409 and inside.json()["title"] == "Already claimed"


def test_a_coverage_change_is_seen_at_once_by_the_same_process(client, triaged_case,
                                                               partner_key):
    """Ops widens a partner's coverage; the next claim in this process sees it, cached
    key or not. Mutation seen failing: ``set_coverage`` not clearing the cache."""
    from civic.http.auth import Coverage

    case_id = triaged_case()
    headers = partner_key("partner.widening", wards={OTHER_WARD}, categories={"food"})
    _refused(_claim(client, case_id, headers), "ward-outside-coverage")  # now cached
    client.app.state.api_keys.set_coverage(
        "partner.widening", Coverage(frozenset({OTHER_WARD, CASE_WARD}), frozenset({"food"})))
    assert _claim(client, case_id, headers).status_code == 200
