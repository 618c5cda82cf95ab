"""``ClaimService.progress``: the holding partner marks its case in progress, then
resolved, and nothing else; the status moves through ``CaseService.change_status``, so
the lifecycle, the history and the events are the same as for staff.

Mutations seen to fail (each restored): the ``hold_refusal`` guard left out of
``progress`` (another partner moved the case); ``PARTNER_MOVES`` widened to every
status (a partner closed its case)."""

from __future__ import annotations

import pytest

from civic.contracts.common import CaseStatus
from civic.errors import Conflict, NotAllowed
from civic.http.auth import Coverage, Role
from civic.http.auth import Principal as P

HOLDER = P("partner.foodbank", Role.PARTNER, Coverage.everything())  # as_("partner")
OTHER = P("partner.mutual-aid", Role.PARTNER, Coverage.everything())


@pytest.fixture
def claimed(client, as_, triaged_case):  # type: ignore[no-untyped-def]
    def make() -> str:
        case_id: str = triaged_case()
        taken = client.post(f"/v1/cases/{case_id}/claim", headers=as_("partner"))
        assert taken.status_code == 200, taken.text
        return case_id
    return make


def test_the_holder_moves_its_case_to_in_progress_then_resolved(client, claimed,  # type: ignore[no-untyped-def]
                                                                status_of, as_) -> None:
    claims = client.app.state.container.claims
    case_id = claimed()
    moved = claims.progress(case_id, HOLDER, CaseStatus.IN_PROGRESS)
    assert moved.status == CaseStatus.IN_PROGRESS and moved.claimed_by == HOLDER.name
    assert status_of(case_id) == ("in_progress", "partner.foodbank")
    assert claims.progress(case_id, HOLDER, CaseStatus.RESOLVED).status == CaseStatus.RESOLVED
    history = client.get(f"/v1/cases/{case_id}/history", headers=as_("staff")).json()
    assert [(c["to_status"], c["actor_role"], c["actor_id"]) for c in history[-2:]] == [
        ("in_progress", "partner", HOLDER.name), ("resolved", "partner", HOLDER.name)]
    with pytest.raises(NotAllowed) as ended:  # resolved: the partner holds it no more
        claims.progress(case_id, HOLDER, CaseStatus.IN_PROGRESS)
    assert ended.value.slug == "claim-not-open"


def test_only_the_holder_moves_a_case(client, claimed, triaged_case, status_of) -> None:  # type: ignore[no-untyped-def]
    claims = client.app.state.container.claims
    case_id = claimed()
    with pytest.raises(NotAllowed) as refused:
        claims.progress(case_id, OTHER, CaseStatus.IN_PROGRESS)
    assert refused.value.slug == "not-claim-holder"
    unclaimed = triaged_case()
    with pytest.raises(NotAllowed):  # triaged -> in progress is a lawful move, for staff
        claims.progress(unclaimed, HOLDER, CaseStatus.IN_PROGRESS)
    assert status_of(case_id) == ("claimed", "partner.foodbank")
    assert status_of(unclaimed) == ("triaged", None)


@pytest.mark.parametrize("target", [s for s in CaseStatus
                                    if s not in (CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED)])
def test_a_partner_makes_no_other_move(client, claimed, status_of, target: CaseStatus) -> None:  # type: ignore[no-untyped-def]
    case_id = claimed()
    with pytest.raises(NotAllowed) as refused:
        client.app.state.container.claims.progress(case_id, HOLDER, target)
    assert refused.value.slug == "not-a-partner-move"
    assert status_of(case_id) == ("claimed", "partner.foodbank")


def test_the_lifecycle_still_decides_the_order(client, claimed, status_of) -> None:  # type: ignore[no-untyped-def]
    case_id = claimed()
    with pytest.raises(Conflict):  # claimed -> resolved skips the work
        client.app.state.container.claims.progress(case_id, HOLDER, CaseStatus.RESOLVED)
    assert status_of(case_id) == ("claimed", "partner.foodbank")
