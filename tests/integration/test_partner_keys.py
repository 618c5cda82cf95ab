"""One partner key across the platform, on the real broker: ops register a partner and
issue its key at partner notifications; case intake learns it from partners.directory
and admits it for claims inside the partner's coverage only; a revocation there stops it
at intake within seconds, and a rotation stops the old key.

Mutations seen to fail: intake's key store without the directory (the key never works
there), and revocation publishing the old hash (it keeps working at intake)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from case_intake.app import create_app as create_intake
from case_intake.settings import Settings as IntakeSettings
from civic.http.auth import Role
from civic_testing import LiveServer
from partner_notifications.app import create_app as create_partners
from partner_notifications.settings import Settings as PartnerSettings

pytestmark = [pytest.mark.broker, pytest.mark.slow]
KENTISH_TOWN = "E05000139"
WITHIN = 10.0  # seconds: "within a few seconds", with room for a loaded CI machine
CASE: dict[str, Any] = {
    "channel": "phone", "categories": ["food"], "urgency": "this_week",
    "household": {"people": 1, "children": 0, "lives_alone": True,
                  "disability_or_long_term_condition": False, "no_internet_access": False},
    "contact": {"name": "Key Example", "phone": "020 7974 0001"},
    "consent": {"lawful_basis": "public_task", "share_with_partners": True,
                "terms_version": "2026-10"},
    "details": "Needs a food parcel.",
}


def until(check: Callable[[], bool], timeout_s: float = WITHIN) -> float | None:
    """Seconds until ``check`` held, or None if it never did."""
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if check():
            return time.monotonic() - start
        time.sleep(0.05)
    return None


def test_one_key_works_here_and_at_intake_and_revoking_it_stops_both(
        kafka_bootstrap: str, tmp_path: Path) -> None:
    intake = create_intake(IntakeSettings(
        database_url=f"sqlite:///{tmp_path}/intake.db", kafka_bootstrap_servers=kafka_bootstrap,
        apply_topics=False, run_relay=False, tune_gc=False))
    partners = create_partners(PartnerSettings(
        database_url=f"sqlite:///{tmp_path}/partners.db",
        kafka_bootstrap_servers=kafka_bootstrap, apply_topics=False))
    staff = {"Authorization": "Bearer " + intake.state.api_keys.create("staff.keys", Role.STAFF)}
    ops = {"Authorization": "Bearer " + partners.state.api_keys.create("ops.keys", Role.OPS)}
    partner_id = f"partner.keys-{uuid.uuid4().hex[:8]}"
    with LiveServer(intake) as intake_server, LiveServer(partners) as partner_server:
        cases, here = f"{intake_server.url}/v1/cases", f"{partner_server.url}/v1/partners"

        def triaged_case(postcode: str) -> str:
            filed = httpx.post(cases, headers=staff,
                               json={**CASE, "location": {"postcode": postcode}})
            assert filed.status_code == 201, filed.text
            case_id = filed.json()["id"]
            moved = httpx.post(f"{cases}/{case_id}/status", headers=staff,
                               json={"to": "triaged", "reason": "checked by the duty desk"})
            assert moved.status_code == 200, moved.text
            return str(case_id)

        in_scope, out_of_scope = triaged_case("NW5 1AH"), triaged_case("WC1H 9JE")
        registered = httpx.post(here, headers=ops, json={
            "id": partner_id, "organisation": "Keys Test Food Bank",
            "contact": "keys@example.org", "wards": [KENTISH_TOWN], "categories": ["food"]})
        assert registered.status_code == 201, registered.text
        key = httpx.post(f"{here}/{partner_id}/key", headers=ops).json()["key"]
        partner = {"Authorization": f"Bearer {key}"}
        assert httpx.get(f"{here}/me", headers=partner).status_code == 200

        def claims(case_id: str, headers: dict[str, str], status: int) -> Callable[[], bool]:
            return lambda: httpx.post(f"{cases}/{case_id}/claim",
                                      headers=headers).status_code == status

        learnt = until(claims(out_of_scope, partner, 403))
        assert learnt is not None, "intake never admitted the key from the directory"
        refused = httpx.post(f"{cases}/{out_of_scope}/claim", headers=partner).json()
        assert refused["type"].endswith("/ward-outside-coverage")
        assert claims(in_scope, partner, 200)()

        rotated = httpx.post(f"{here}/{partner_id}/key", headers=ops).json()["key"]
        new_partner = {"Authorization": f"Bearer {rotated}"}
        old_stopped = until(lambda: httpx.get(f"{cases}/{in_scope}/contact",
                                              headers=partner).status_code == 401)
        assert httpx.get(f"{here}/me", headers=partner).status_code == 401
        assert httpx.get(f"{cases}/{in_scope}/contact", headers=new_partner).status_code == 200

        assert httpx.delete(f"{here}/{partner_id}/key", headers=ops).status_code == 204
        assert httpx.get(f"{here}/me", headers=new_partner).status_code == 401
        revoked = until(lambda: httpx.get(f"{cases}/{in_scope}/contact",
                                          headers=new_partner).status_code == 401)
    print(f"\nkey learnt by intake in {learnt:.2f} s; rotation took {old_stopped} s, "
          f"revocation {revoked} s")
    assert old_stopped is not None, f"the rotated-out key still worked at intake after {WITHIN} s"
    assert revoked is not None, f"the revoked key still worked at intake after {WITHIN} s"
