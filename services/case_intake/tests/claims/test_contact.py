"""A partner reads a resident's contact details only while it holds the case and the
case is open (claimed or in progress). Every refused read is audited, without personal
data. Release, too, needs the claim, and a partner has no other way to move a case.
Through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

PERSONAL = ("Ada", "Example", "7974", "ada@example.org", "1 Example Street", "NW1 0AA",
            "cupboards")


def _contact(client, case_id, as_, who="partner"):  # type: ignore[no-untyped-def]
    return client.get(f"/v1/cases/{case_id}/contact", headers=as_(who))


def _release(client, case_id, as_, who="partner"):  # type: ignore[no-untyped-def]
    return client.post(f"/v1/cases/{case_id}/release", json={"reason": "cannot help"},
                       headers=as_(who))


# How each way of ending a claim is done, and the refusal a later read gets.
ENDINGS = {
    "released": ("partner releases", "not-claim-holder"),
    "resolved": ("in_progress,resolved", "claim-not-open"),
    "closed": ("closed", "claim-not-open"),
    "withdrawn": ("withdrawn", "claim-not-open"),
    "closed from in progress": ("in_progress,closed", "claim-not-open"),
}


@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_contact_details_are_refused_and_the_attempt_audited_once_the_claim_ends(
        client, as_, triaged_case, move, audit_of, ending):
    """Mutation seen failing: ``hold_refusal`` without its status check (the holder
    read a resolved, closed or withdrawn case's contact details); and ``contact`` not
    recording the refused read."""
    how, slug = ENDINGS[ending]
    case_id = triaged_case()
    assert client.post(f"/v1/cases/{case_id}/claim", headers=as_("partner")).status_code == 200
    assert _contact(client, case_id, as_).json()["contact"]["phone"] == "020 7974 4444"
    if how == "partner releases":
        assert _release(client, case_id, as_).status_code == 200
    else:
        steps = how.split(",")
        if steps[0] == "in_progress":
            move(case_id, "in_progress")
            # in progress is still open: the holder still reads
            assert _contact(client, case_id, as_).status_code == 200
            steps = steps[1:]
        move(case_id, *steps)
    reads_before = len(audit_of(case_id))

    refused = _contact(client, case_id, as_)
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"] == f"https://civic-platform.example/problems/{slug}"
    assert not any(marker in refused.text for marker in PERSONAL)
    entries = audit_of(case_id)
    assert len(entries) == reads_before + 1
    entry = entries[-1]
    assert (entry["action"], entry["actor_role"], entry["actor_id"]) == (
        "contact_read_refused", "partner", "partner.foodbank")
    assert not any(marker in str(entry) for marker in PERSONAL)


def test_a_reopened_case_is_held_again_by_its_partner(client, as_, triaged_case, move):
    """Resolved -> in progress (the help did not land): the holder may read again."""
    case_id = triaged_case()
    client.post(f"/v1/cases/{case_id}/claim", headers=as_("partner"))
    move(case_id, "in_progress", "resolved")
    assert _contact(client, case_id, as_).status_code == 403
    move(case_id, "in_progress")
    assert _contact(client, case_id, as_).status_code == 200


def test_release_needs_the_open_claim(client, as_, triaged_case, move, status_of):
    """Only the holder releases, and only a claimed case. Mutations seen failing:
    ``release`` without its ``holds`` guard, and ``hold_refusal`` without its holder
    check (another partner released the case)."""
    case_id = triaged_case()
    client.post(f"/v1/cases/{case_id}/claim", headers=as_("partner"))
    other = _release(client, case_id, as_, "other_partner")
    assert other.status_code == 403, other.text
    assert other.json()["type"].endswith("/not-claim-holder")
    assert status_of(case_id) == ("claimed", "partner.foodbank")

    move(case_id, "in_progress", "resolved")
    finished = _release(client, case_id, as_)
    assert finished.status_code == 403 and finished.json()["type"].endswith("/claim-not-open")
    assert status_of(case_id) == ("resolved", "partner.foodbank")
    unknown = _release(client, "5b1f0c1e-0000-4000-8000-000000000099", as_)
    assert unknown.status_code == 404


def test_a_partner_has_no_other_way_to_move_a_case(client, as_, triaged_case, status_of):
    """Status changes (in progress, resolved, ...) are staff's: a partner, even the
    holder, gets 403 from the status endpoint."""
    case_id = triaged_case()
    client.post(f"/v1/cases/{case_id}/claim", headers=as_("partner"))
    for target in ("in_progress", "resolved", "triaged", "closed"):
        response = client.post(f"/v1/cases/{case_id}/status",
                               json={"to": target, "reason": "partner tries"},
                               headers=as_("partner"))
        assert response.status_code == 403, (target, response.text)
    assert status_of(case_id) == ("claimed", "partner.foodbank")


def test_an_unknown_case_is_404_for_claim_and_contact(client, as_):
    unknown = "5b1f0c1e-0000-4000-8000-000000000098"
    assert client.post(f"/v1/cases/{unknown}/claim", headers=as_("partner")).status_code == 404
    assert _contact(client, unknown, as_).status_code == 404
