"""A band override relayed by case intake's case page (``Civic-Acting-For``), through the
running service on the real broker: recorded as the named member of staff's decision,
audited as relayed by the caller; refused from a key not listed as a delegating caller,
so no staff key can record a decision in a colleague's name.

Mutation seen to fail: ``acting_principal`` accepting the header from any key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from civic.errors import NotAllowed
from civic.http.auth import Principal, Role
from civic_testing import LiveServer
from need_scoring.audit import repository as audit
from need_scoring.overrides.delegation import acting_principal

from ..conftest import make_case
from .test_overrides import publish, wait_for_score

RELAY = "staff.case-intake"


def test_only_a_listed_caller_may_act_for_someone_else() -> None:
    relay, alice = Principal(RELAY, Role.STAFF), Principal("staff.alice", Role.STAFF)
    listed = frozenset({RELAY})
    assert acting_principal(relay, "staff.alice", listed) == (alice, RELAY)
    assert acting_principal(alice, None, listed) == (alice, None)
    assert acting_principal(alice, "staff.alice", frozenset()) == (alice, None)
    with pytest.raises(NotAllowed, match="NEED_SCORING_DELEGATING_CALLERS"):
        acting_principal(alice, "staff.bob", listed)


@pytest.mark.broker
@pytest.mark.slow
def test_a_relayed_override_is_the_staff_member_s_and_says_who_relayed_it(
        kafka_bootstrap: str, policy_file: Callable[..., Path],
        scoring_service: Callable[..., LiveServer]) -> None:
    server = scoring_service(policy_file(), delegating_callers=frozenset({RELAY}))
    store = server.app.state.api_keys
    relay = {"Authorization": f"Bearer {store.create(RELAY, Role.STAFF)}"}
    other = {"Authorization": f"Bearer {store.create('staff.other', Role.STAFF)}"}
    case = make_case(urgency="can_wait", categories=["digital_access"])
    publish(kafka_bootstrap, case)
    case_id = str(case.case_id)
    assert wait_for_score(server, case_id, relay).status_code == 200

    url = f"{server.url}/v1/cases/{case_id}/band-override"
    body = {"band": "high", "reason": "No heating and a newborn in the household."}
    refused = httpx.post(url, json=body, headers={**other, "Civic-Acting-For": "staff.alice"})
    assert refused.status_code == 403, refused.text
    assert "may not send Civic-Acting-For" in refused.json()["detail"]
    bad_name = httpx.post(url, json=body, headers={**relay, "Civic-Acting-For": "Alice Smith"})
    assert bad_name.status_code == 422

    relayed = httpx.post(url, json=body, headers={**relay, "Civic-Acting-For": "staff.alice"})
    assert relayed.status_code == 201, relayed.text
    assert relayed.json()["decision"]["overridden_by"] == "staff.alice"
    with server.app.state.container.database.sessions() as session:
        lines = [(row.action, row.actor_id, row.purpose)
                 for row in audit.for_case(session, case_id)]
    assert ("override_band", "staff.alice", f"band override via {RELAY}") in lines
    assert not any(actor == "staff.other" for action, actor, _ in lines
                   if action == "override_band")
