"""The staff queue page over real HTTP handling (TestClient) on SQLite and PostgreSQL:
open cases in need order (band, then score, then oldest), each filter, keyset paging
that neither skips nor repeats, cases waiting for a score first, an erased case
gone, bad filters answered with the error summary, and sign-in required.

Mutation seen to fail: the order's opened_at key dropped from the cursor (a page
repeated a row)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from case_intake.cases.models import Case
from case_intake.scores.models import CaseScore
from case_intake.scores.ordering import CLOSED_OFFSET, queue_key
from case_intake.scores.repository import follow_status
from case_intake.scores.service import ScoreReadModel
from civic.http.auth import Role

from ..scores.test_read_model import score_event

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
REFERENCE = re.compile(r'<span class="queue__reference">([0-9A-F-]{8})</span>')
NOW = datetime.now(UTC)


def sign_in(client: TestClient) -> None:
    key = client.app.state.api_keys.create("staff.queue", Role.STAFF)  # type: ignore[attr-defined]
    token = CSRF_FIELD.search(client.get("/staff/sign-in").text).group(1)  # type: ignore[union-attr]
    signed = client.post("/staff/sign-in", data={"api_key": key, "csrf_token": token},
                         follow_redirects=False)
    assert signed.status_code == 303, signed.text


def scored_case(client, new_case, band: str, score: int, **fields) -> str:  # type: ignore[no-untyped-def]
    case_id: str = new_case(**fields)["id"]
    database = client.app.state.container.database
    ScoreReadModel(database.engine, database.sessions).handle(
        score_event(case_id, at=NOW, score=score, band=band))
    return case_id


def shown(page: str) -> list[str]:
    return REFERENCE.findall(page)


def ref(case_id: str) -> str:
    return case_id[:8].upper()


def test_the_queue_needs_a_staff_session(client: TestClient) -> None:
    answer = client.get("/staff/queue", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/sign-in")


def test_open_cases_in_need_order_with_what_explains_each(client, new_case) -> None:  # type: ignore[no-untyped-def]
    assert (queue_key(None, None, "submitted") < queue_key("urgent", 10, "triaged")
            < queue_key("high", 99, "claimed") < queue_key("high", 50, "in_progress")
            < queue_key(None, None, "resolved") < queue_key("urgent", 90, "closed"))
    low = scored_case(client, new_case, "low", 20)
    high_60 = scored_case(client, new_case, "high", 60)
    urgent = scored_case(client, new_case, "urgent", 80)
    high_60_later = scored_case(client, new_case, "high", 60)
    high_70 = scored_case(client, new_case, "high", 70)
    waiting = new_case()["id"]  # no score yet
    sign_in(client)
    page = client.get("/staff/queue")
    assert page.status_code == 200
    assert shown(page.text) == [ref(waiting)] + [ref(c) for c in (
        urgent, high_70, high_60, high_60_later, low)], "band, score, then oldest first"
    assert "Not scored yet" in page.text
    assert "Help is needed today." in page.text, "each row's one-line reason"
    assert "Food" in page.text and "Nobody" in page.text


def test_each_filter_narrows_the_queue(client, new_case, as_) -> None:  # type: ignore[no-untyped-def]
    food = scored_case(client, new_case, "high", 60, categories=["food"])
    money = scored_case(client, new_case, "high", 50, categories=["money"], channel="web")
    unplaced = scored_case(client, new_case, "low", 10, categories=["food"],
                           location={"postcode": "SW1A 1AA"})  # outside the borough
    sign_in(client)
    assert shown(client.get("/staff/queue?category=money").text) == [ref(money)]
    assert shown(client.get("/staff/queue?channel=web").text) == [ref(money)]
    assert shown(client.get("/staff/queue?needs_review=yes").text) == [ref(unplaced)]
    assert shown(client.get("/staff/queue?unclaimed_hours=1").text) == [], "all are new"
    with client.app.state.container.database.sessions() as session:
        ward_code = session.get(Case, food).ward_code
    assert ref(food) in shown(client.get(f"/staff/queue?ward={ward_code}").text)
    client.post(f"/v1/cases/{food}/status", json={"to": "triaged", "reason": "checked"},
                headers=as_("staff"))
    assert shown(client.get("/staff/queue?status=triaged").text) == [ref(food)]


def test_paging_neither_skips_nor_repeats_and_erased_cases_leave(client, new_case,  # type: ignore[no-untyped-def]
                                                                 as_) -> None:
    made = [scored_case(client, new_case, "medium", 40) for _ in range(5)]  # one score
    client.app.state.container.staff_queue.page_size = 2
    sign_in(client)
    seen: list[str] = []
    url: str | None = "/staff/queue"
    while url:
        page = client.get(url).text
        seen += [r for r in shown(page)]
        link = re.search(r'href="([^"]+)" rel="next"', page)
        url = link.group(1).replace("&amp;", "&") if link else None
    assert seen == [ref(c) for c in made], "every case once, oldest first within a score"
    client.post(f"/v1/cases/{made[0]}/erasure", json={"reason": "asked"}, headers=as_("staff"))
    assert ref(made[0]) not in shown(client.get("/staff/queue").text)


def test_bad_filters_get_the_error_summary_naming_each(client) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    page = client.get("/staff/queue?ward=E99999999&unclaimed_hours=soon&after=%%%")
    assert page.status_code == 400
    assert "There is a problem" in page.text
    for message in ("Choose a ward from the list", "Enter a whole number of hours",
                    "The page link is not one this queue made"):
        assert message in page.text
    assert "<title>Error: " in page.text


def test_a_case_that_closes_moves_after_every_open_one_and_back_when_reopened(
        client, new_case, as_) -> None:  # type: ignore[no-untyped-def]
    """So pages of open cases never read past closed ones, however many pile up (seen
    to fail with the status change not followed: the withdrawn case kept its place)."""
    urgent = scored_case(client, new_case, "urgent", 95)
    low = scored_case(client, new_case, "low", 5)
    withdrawn = client.post(f"/v1/cases/{urgent}/status",
                            json={"to": "withdrawn", "reason": "no longer needed"},
                            headers=as_("staff"))
    assert withdrawn.status_code == 200, withdrawn.text
    with client.app.state.container.database.sessions() as session:
        keys = {c: session.get(CaseScore, c).queue_key for c in (urgent, low)}
    assert keys[urgent] > keys[low] and keys[urgent] >= CLOSED_OFFSET
    sign_in(client)
    assert shown(client.get("/staff/queue").text) == [ref(low)]
    with client.app.state.container.database.sessions.begin() as session:
        follow_status(session, urgent, "in_progress")  # as a reopened case is
        assert session.get(CaseScore, urgent).queue_key == queue_key("urgent", 95, "triaged")


def test_the_page_refreshing_itself_is_not_counted_as_activity(client: TestClient) -> None:
    """live.js marks its requests with Civic-Refresh: they read the session without
    moving its idle clock (seen to fail with the header ignored)."""
    from datetime import timedelta

    from case_intake.staff_sessions.models import StaffSessionRecord

    sessions = client.app.state.container.staff_sessions  # type: ignore[attr-defined]
    database = client.app.state.container.database  # type: ignore[attr-defined]
    sign_in(client)
    later = datetime.now(UTC) + timedelta(minutes=10)
    sessions.clock = lambda: later

    def last_seen() -> datetime:
        with database.sessions() as session:
            return session.query(StaffSessionRecord).one().last_seen_at  # type: ignore[no-any-return]

    before = last_seen()
    assert client.get("/staff/queue", headers={"Civic-Refresh": "1"}).status_code == 200
    assert last_seen() == before
    assert client.get("/staff/queue").status_code == 200
    assert last_seen() == later


def test_a_forged_page_link_is_named_not_a_server_error(client: TestClient) -> None:
    """A cursor is base64 anyone can make: a key past a database integer's, or a case id
    that is no id, gets the error summary (seen to fail with a 500 on both engines)."""
    import base64
    import uuid

    sign_in(client)
    for forged in (f"99999999999999999999|{NOW.isoformat()}|{uuid.uuid4()}",
                   f"1038|{NOW.isoformat()}|' OR 1=1 --"):
        after = base64.urlsafe_b64encode(forged.encode()).decode()
        answer = client.get(f"/staff/queue?after={after}")
        assert answer.status_code == 400 and "The page link is not one this queue made" \
            in answer.text
