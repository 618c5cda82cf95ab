"""The partner pages over real HTTP handling (TestClient) on SQLite and PostgreSQL:
sign-in with a partner key only, sessions that do not cross between staff and
partners, the board's cases (triaged, unclaimed, inside the partner's coverage, in need
order, without contact details), claiming (contact only with consent, the error summary
with the API's status when refused), releasing with a reason, marking in progress and
resolved, CSRF on every post, and keyset paging.

Mutations seen to fail (each restored):
- the board query's category filter dropped (``in_categories`` left out of
  ``repository.claimable``): a money-only case showed on a food partner's board;
- the board query's ward filter dropped: a case from a ward outside the coverage showed;
- the resident's name added to each board row's reasons (a join to ``case_personal`` in
  ``PartnerBoard.page``): the filed name appeared on the board;
- the CSRF check skipped in the claim endpoint: the forged claim took the case (303);
- the CSRF check skipped in the progress endpoint: the case moved to in progress.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from civic.http.auth import Coverage, Role

from ..staff_queue.test_queue_page import scored_case
from ..staff_queue.test_queue_page import sign_in as staff_sign_in

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
REFERENCE = re.compile(r'<span class="board__reference">([0-9A-F]{8})</span>')
HOME_WARD = "E05000142"  # where NW1 0AA, the test case's postcode, is placed
OTHER_POSTCODE = "EC1M 3HA"  # placed in E05000138, Holborn and Covent Garden
FOOD_AT_HOME = Coverage(wards=frozenset({HOME_WARD}), categories=frozenset({"food"}))
RESIDENT = ("Ada Example", "020 7974 4444", "ada@example.org", "1 Example Street")


def partner_key(client: TestClient, name: str = "partner.board",
                coverage: Coverage | None = FOOD_AT_HOME) -> str:
    return client.app.state.api_keys.create(name, Role.PARTNER, coverage=coverage)  # type: ignore[attr-defined,no-any-return]


def sign_in(client: TestClient, key: str) -> str:
    """Sign in at /partner/sign-in as a browser would; the board's CSRF token."""
    token = _csrf(client.get("/partner/sign-in").text)
    answer = client.post("/partner/sign-in", data={"api_key": key, "csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/partner/board"
    return _csrf(client.get("/partner/board").text)


def _csrf(page: str) -> str:
    found = CSRF_FIELD.search(page)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def triage(client: TestClient, as_: Any, case_id: str) -> str:
    answer = client.post(f"/v1/cases/{case_id}/status",
                         json={"to": "triaged", "reason": "checked"}, headers=as_("staff"))
    assert answer.status_code == 200, answer.text
    return case_id


def claimable(client: TestClient, new_case: Any, as_: Any, band: str = "high",
              score: int = 60, **fields: Any) -> str:
    return triage(client, as_, scored_case(client, new_case, band, score, **fields))


def status_of(client: TestClient, as_: Any, case_id: str) -> tuple[str, str | None]:
    case = client.get(f"/v1/cases/{case_id}", headers=as_("staff")).json()
    return case["status"], case["claimed_by"]


def shown(page: str) -> list[str]:
    return REFERENCE.findall(page)


def ref(case_id: str) -> str:
    return case_id[:8].upper()


def post(client: TestClient, path: str, **fields: str) -> Any:
    return client.post(path, data=fields, follow_redirects=False)


def test_the_pages_need_a_partner_session(client: TestClient, new_case, as_) -> None:  # type: ignore[no-untyped-def]
    case_id = claimable(client, new_case, as_)
    for path in ("/partner/board", "/partner/cases"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/partner/sign-in"
    claim = post(client, f"/partner/cases/{case_id}/claim", csrf_token="x")
    assert claim.status_code == 303
    assert status_of(client, as_, case_id) == ("triaged", None)
    page = client.get("/partner/sign-in")
    assert page.status_code == 200 and "Partner API key" in page.text


def test_partner_cookies_are_http_only_strict_and_scoped_to_partner_pages(
        client: TestClient) -> None:
    page = client.get("/partner/sign-in")
    answer = client.post("/partner/sign-in", data={"api_key": partner_key(client),
                                                   "csrf_token": _csrf(page.text)},
                         follow_redirects=False)
    for header in (*page.headers.get_list("set-cookie"),
                   *answer.headers.get_list("set-cookie")):
        flags = {part.strip().lower() for part in header.split(";")[1:]}
        assert {"httponly", "samesite=strict", "path=/partner"} <= flags, header
    names = {h.split("=", 1)[0] for h in answer.headers.get_list("set-cookie")}
    assert names == {"civic_partner_session", "civic_partner_sign_in"}


def test_staff_and_partner_sessions_do_not_cross(client: TestClient, as_) -> None:  # type: ignore[no-untyped-def]
    staff_key = client.app.state.api_keys.create("staff.crossing", Role.STAFF)  # type: ignore[attr-defined]
    refused = client.post("/partner/sign-in", data={
        "api_key": staff_key, "csrf_token": _csrf(client.get("/partner/sign-in").text)})
    assert refused.status_code == 422 and "Enter a partner API key" in refused.text
    refused = client.post("/staff/sign-in", data={
        "api_key": partner_key(client), "csrf_token": _csrf(client.get("/staff/sign-in").text)})
    assert refused.status_code == 422 and "Enter a staff API key" in refused.text
    assert "civic_staff_session" not in client.cookies
    assert "civic_partner_session" not in client.cookies

    staff_sign_in(client)
    sign_in(client, partner_key(client, "partner.crossing"))
    staff_cookie = client.cookies.get("civic_staff_session", path="/staff")
    partner_cookie = client.cookies.get("civic_partner_session", path="/partner")
    assert staff_cookie and partner_cookie
    client.cookies.clear()
    # each cookie presented under the other's name (as a forger would) signs no one in
    swapped = client.get("/partner/board", cookies={"civic_partner_session": staff_cookie},
                         follow_redirects=False)
    assert swapped.status_code == 303
    assert swapped.headers["location"] == "/partner/sign-in?ended=ended"
    swapped = client.get("/staff/queue", cookies={"civic_staff_session": partner_cookie},
                         follow_redirects=False)
    assert swapped.status_code == 303
    assert swapped.headers["location"] == "/staff/sign-in?ended=ended"
    # while each, where it belongs, still does
    assert client.get("/partner/board", cookies={"civic_partner_session": partner_cookie},
                      follow_redirects=False).status_code == 200
    assert client.get("/staff/queue", cookies={"civic_staff_session": staff_cookie},
                      follow_redirects=False).status_code == 200


def test_the_board_shows_only_triaged_unclaimed_cases_in_coverage_in_need_order(
        client: TestClient, new_case, as_) -> None:  # type: ignore[no-untyped-def]
    low = claimable(client, new_case, as_, "low", 20, categories=["food"])
    urgent = claimable(client, new_case, as_, "urgent", 80, categories=["money", "food"])
    not_scored = triage(client, as_, new_case(categories=["food"])["id"])
    hidden = {
        "money only": claimable(client, new_case, as_, "urgent", 90, categories=["money"]),
        "other ward": claimable(client, new_case, as_, "urgent", 90,
                                location={"postcode": OTHER_POSTCODE}),
        "not placed": claimable(client, new_case, as_, "urgent", 90,
                                location={"postcode": "SW1A 1AA"}),
        "not triaged": scored_case(client, new_case, "urgent", 90),
        "claimed": claimable(client, new_case, as_, "urgent", 90),
    }
    taken = client.post(f"/v1/cases/{hidden['claimed']}/claim", headers=as_("other_partner"))
    assert taken.status_code == 200, taken.text
    sign_in(client, partner_key(client))
    page = client.get("/partner/board")
    assert page.status_code == 200
    assert shown(page.text) == [ref(not_scored), ref(urgent), ref(low)], \
        "only cases the partner may claim, not scored yet first, then by need"
    assert "Help is needed today." in page.text, "the scoring reasons"
    assert "Not scored yet" in page.text and "Money, Food" in page.text


def test_a_partner_without_coverage_sees_nothing_and_is_told_why(
        client: TestClient, new_case, as_) -> None:  # type: ignore[no-untyped-def]
    claimable(client, new_case, as_)
    sign_in(client, partner_key(client, coverage=None))
    page = client.get("/partner/board")
    assert page.status_code == 200 and shown(page.text) == []
    assert "Your partner key has no coverage yet" in page.text


def test_the_board_shows_no_contact_details(client: TestClient, new_case, as_) -> None:  # type: ignore[no-untyped-def]
    claimable(client, new_case, as_)
    sign_in(client, partner_key(client))
    page = client.get("/partner/board").text
    assert len(shown(page)) == 1
    for detail in (*RESIDENT, "1961", "Lost job last month"):
        assert detail not in page, detail


def test_a_claim_shows_the_contact_only_when_the_resident_agreed(
        client: TestClient, new_case, as_) -> None:  # type: ignore[no-untyped-def]
    agreed = claimable(client, new_case, as_)
    private = claimable(client, new_case, as_, contact={
        "name": "Bea Private", "phone": "020 7974 5555"}, consent={
        "lawful_basis": "public_task", "share_with_partners": False,
        "terms_version": "2026-10"})
    token = sign_in(client, partner_key(client))

    claim = post(client, f"/partner/cases/{agreed}/claim", csrf_token=token)
    assert claim.status_code == 303
    assert claim.headers["location"] == f"/partner/cases?done=claimed&case={ref(agreed)}"
    assert status_of(client, as_, agreed) == ("claimed", "partner.board")
    shown = client.get(claim.headers["location"])
    assert shown.headers["cache-control"] == "no-store", "never kept on a shared device"
    page = shown.text
    assert f"You have claimed case {ref(agreed)}." in page
    for detail in RESIDENT:
        assert detail in page, detail
    assert "1961" not in page, "a date of birth is not needed to help"

    claim = post(client, f"/partner/cases/{private}/claim", csrf_token=token)
    page = client.get(claim.headers["location"]).text
    assert "You will not see how to reach this resident" in page
    assert "the resident did not consent to sharing" in page
    assert "Bea Private" not in page and "020 7974 5555" not in page

    releases = [e for e in client.get(f"/v1/cases/{agreed}/audit", headers=as_("ops")).json()
                if e["action"] == "release_contact_to_partner"]
    assert len(releases) == 2, "each page that showed the contact is an audited read"


def test_refused_claims_come_back_to_the_board_with_the_error_summary(
        client: TestClient, new_case, as_) -> None:  # type: ignore[no-untyped-def]
    taken, withdrawn, first, second = (claimable(client, new_case, as_) for _ in range(4))
    token = sign_in(client, partner_key(client))
    assert client.post(f"/v1/cases/{taken}/claim",
                       headers=as_("other_partner")).status_code == 200
    answer = post(client, f"/partner/cases/{taken}/claim", csrf_token=token)
    assert answer.status_code == 409
    assert "There is a problem" in answer.text and "<title>Error: " in answer.text
    assert f"Case {ref(taken)} could not be claimed. Another partner holds this case." \
        in answer.text
    assert status_of(client, as_, taken) == ("claimed", "partner.mutual-aid")

    client.post(f"/v1/cases/{withdrawn}/status", json={"to": "withdrawn", "reason": "asked"},
                headers=as_("staff"))
    answer = post(client, f"/partner/cases/{withdrawn}/claim", csrf_token=token)
    assert answer.status_code == 403 and "only a triaged case can be claimed" in answer.text

    client.app.state.container.claims.claim_cap = 1  # type: ignore[attr-defined]
    assert post(client, f"/partner/cases/{first}/claim", csrf_token=token).status_code == 303
    answer = post(client, f"/partner/cases/{second}/claim", csrf_token=token)
    assert answer.status_code == 429 and answer.headers["retry-after"] == "60"
    assert "the most one partner may hold at once" in answer.text
    assert status_of(client, as_, second) == ("triaged", None)


def test_a_post_without_its_csrf_token_gets_a_403_page_and_changes_nothing(
        client: TestClient, new_case, as_) -> None:  # type: ignore[no-untyped-def]
    unclaimed, held = claimable(client, new_case, as_), claimable(client, new_case, as_)
    token = sign_in(client, partner_key(client))
    assert post(client, f"/partner/cases/{held}/claim", csrf_token=token).status_code == 303
    for path, fields in ((f"/partner/cases/{unclaimed}/claim", {}),
                         (f"/partner/cases/{held}/release", {"reason": "cannot help"}),
                         (f"/partner/cases/{held}/progress", {"to": "in_progress"})):
        for forged in ({}, {"csrf_token": "not-the-token"}):
            answer = post(client, path, **fields, **forged)
            assert answer.status_code == 403, (path, forged)
            assert "We could not accept that form" in answer.text
            assert "Partner forms carry a security code" in answer.text
    assert status_of(client, as_, unclaimed) == ("triaged", None)
    assert status_of(client, as_, held) == ("claimed", "partner.board")
    signed_out = post(client, "/partner/sign-out")
    assert signed_out.status_code == 403, "still signed in"
    assert client.get("/partner/board", follow_redirects=False).status_code == 200


def test_releasing_needs_a_reason_and_puts_the_case_back_on_the_board(
        client: TestClient, new_case, as_) -> None:  # type: ignore[no-untyped-def]
    case_id = claimable(client, new_case, as_)
    token = sign_in(client, partner_key(client))
    post(client, f"/partner/cases/{case_id}/claim", csrf_token=token)
    answer = post(client, f"/partner/cases/{case_id}/release", csrf_token=token, reason="  ")
    assert answer.status_code == 422
    assert "There is a problem" in answer.text
    assert f'href="#reason-{case_id}">Enter why you are handing case {ref(case_id)} back' \
        in answer.text
    assert f'id="reason-{case_id}"' in answer.text
    assert status_of(client, as_, case_id) == ("claimed", "partner.board")

    answer = post(client, f"/partner/cases/{case_id}/release", csrf_token=token,
                  reason="We cannot reach their area this week")
    assert answer.status_code == 303
    assert status_of(client, as_, case_id) == ("triaged", None)
    assert "handed case" in client.get(answer.headers["location"]).text
    assert shown(client.get("/partner/board").text) == [ref(case_id)]


def test_a_partner_marks_its_case_in_progress_then_resolved(
        client: TestClient, new_case, as_) -> None:  # type: ignore[no-untyped-def]
    case_id = claimable(client, new_case, as_)
    token = sign_in(client, partner_key(client))
    post(client, f"/partner/cases/{case_id}/claim", csrf_token=token)
    early = post(client, f"/partner/cases/{case_id}/progress", csrf_token=token, to="resolved")
    assert early.status_code == 409 and "cannot become resolved" in early.text
    assert post(client, f"/partner/cases/{case_id}/progress", csrf_token=token,
                to="closed").status_code == 422

    answer = post(client, f"/partner/cases/{case_id}/progress", csrf_token=token,
                  to="in_progress")
    assert answer.status_code == 303
    assert status_of(client, as_, case_id) == ("in_progress", "partner.board")
    page = client.get(answer.headers["location"]).text
    assert "is marked in progress" in page and "Mark resolved" in page
    assert "Ada Example" in page, "the contact stays while the partner holds the case"

    answer = post(client, f"/partner/cases/{case_id}/progress", csrf_token=token,
                  to="resolved")
    assert answer.status_code == 303
    assert status_of(client, as_, case_id) == ("resolved", "partner.board")
    page = client.get(answer.headers["location"]).text
    assert "is marked resolved" in page and "Ada Example" not in page
    history = client.get(f"/v1/cases/{case_id}/history", headers=as_("staff")).json()
    assert [c["actor_id"] for c in history[-2:]] == ["partner.board"] * 2


def test_the_board_pages_without_skipping_or_repeating(client: TestClient, new_case, as_  # type: ignore[no-untyped-def]
                                                        ) -> None:
    made = [claimable(client, new_case, as_, "medium", 40) for _ in range(5)]
    client.app.state.container.partner_board.page_size = 2  # type: ignore[attr-defined]
    sign_in(client, partner_key(client))
    seen: list[str] = []
    url: str | None = "/partner/board"
    while url:
        page = client.get(url).text
        seen += shown(page)
        link = re.search(r'href="([^"]+)" rel="next"', page)
        url = link.group(1) if link else None
    assert seen == [ref(c) for c in made], "every case once, oldest first within a score"
    bad = client.get("/partner/board?after=not-a-cursor")
    assert bad.status_code == 400 and "The page link is not one this board made" in bad.text


def test_signing_out_ends_the_partner_session(client: TestClient) -> None:
    token = sign_in(client, partner_key(client))
    answer = post(client, "/partner/sign-out", csrf_token=token)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/partner/sign-in?ended=signed-out"
    assert "You have signed out." in client.get(answer.headers["location"]).text
    assert client.get("/partner/board", follow_redirects=False).status_code == 303
