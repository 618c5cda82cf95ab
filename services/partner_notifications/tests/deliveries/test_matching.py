"""Who is told what, end to end from an event to a real receiver: a scored case reaches
every subscriber whose coverage and filters hold it, signed so the standardwebhooks
library verifies it, with the minimum a partner needs and nothing about the person;
everyone else gets nothing; a claim is told to the other partners told of the case; an
erased case leaves nothing behind.

Mutations seen to fail: the coverage check dropped from matching (the out-of-ward
partner was told), min_band ignored, the claimant told of its own claim, and erasure
leaving deliveries."""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from civic.contracts.cases import CaseErased, CasePlaced
from partner_notifications.deliveries.models import Delivery, KnownCase

from .conftest import KENTISH_TOWN, KINGS_CROSS, envelope, scored, status_changed, submitted


def test_a_scored_case_reaches_exactly_the_partners_it_should(platform_for, receiver):
    platform = platform_for()
    told, picky, elsewhere, money_only = (
        platform.partner("partner.told", [KENTISH_TOWN], ["food"]),
        platform.partner("partner.picky", [KENTISH_TOWN], ["food"]),
        platform.partner("partner.elsewhere", [KINGS_CROSS], ["food"]),
        platform.partner("partner.money", [KENTISH_TOWN], ["money"]))
    sub = platform.subscribe(told, f"{receiver.url}/told")
    platform.subscribe(picky, f"{receiver.url}/picky", filters={"min_band": "urgent"})
    platform.subscribe(elsewhere, f"{receiver.url}/elsewhere")
    platform.subscribe(money_only, f"{receiver.url}/money")
    case = submitted()
    platform.feed(case)
    score = envelope(scored(case, band="high"))
    for _ in range(2):  # the same event read twice (a redelivery): sent once
        platform.app.state.container.planner.handle(score)
    body, headers = receiver.wait("/told", 1)[0]
    payload = Webhook(sub["secret"]).verify(body, headers)
    assert payload["type"] == "case.scored"
    assert payload["data"] == {
        "case_ref": str(case.case_id), "ward": KENTISH_TOWN, "categories": ["food"],
        "band": "high", "score": 62, "status": "submitted",
        "reasons": ["Help is needed today.", "The resident lives alone."],
        "claim_url": f"http://127.0.0.1:8001/v1/cases/{case.case_id}/claim"}
    assert headers["webhook-id"].startswith("msg_")
    with platform.app.state.container.database.sessions() as session:
        made = session.scalar(select(func.count()).select_from(Delivery))
    assert made == 1, "only the partner in scope, once"
    for path in ("/picky", "/elsewhere", "/money"):
        assert receiver.got[path] == []


def test_a_claim_is_told_to_the_other_partners_and_a_release_too(platform_for, receiver):
    platform = platform_for()
    first = platform.partner("partner.first", [KENTISH_TOWN], ["food"])
    second = platform.partner("partner.second", [KENTISH_TOWN], ["food"])
    kinds = ["case.scored", "case.claimed", "case.released"]
    platform.subscribe(first, f"{receiver.url}/first", event_types=kinds)
    platform.subscribe(second, f"{receiver.url}/second", event_types=kinds)
    case = submitted()
    platform.feed(case, scored(case), status_changed(case, "submitted", "triaged", 2))
    receiver.wait("/first", 1), receiver.wait("/second", 1)
    platform.feed(status_changed(case, "triaged", "claimed", 3, partner_id="partner.first"))
    claimed = receiver.wait("/second", 2)
    assert json.loads(claimed[1][0])["type"] == "case.claimed"
    # as intake sends a release: naming nobody (the claim is over)
    platform.feed(status_changed(case, "claimed", "triaged", 4))
    released = receiver.wait("/second", 3)
    assert json.loads(released[2][0])["type"] == "case.released"
    first_got = [json.loads(b)["type"] for b, _ in receiver.wait("/first", 1)]
    assert first_got == ["case.scored"], "the claimant is not told of its own claim"


def test_events_out_of_order_and_scores_repeated_tell_nobody_twice(platform_for, receiver):
    """A claim read before its case is never announced as open, and need scoring's
    re-publication of an identical score is not a second message. Seen to fail with
    the early claim dropped, and with the envelope's id as the score's."""
    platform = platform_for()
    partner = platform.partner("partner.order", [KENTISH_TOWN], ["food"])
    platform.subscribe(partner, f"{receiver.url}/order")
    claimed_first = submitted()
    platform.feed(status_changed(claimed_first, "triaged", "claimed", 3, partner_id="partner.x"),
                  claimed_first, scored(claimed_first))
    case = submitted()
    score = scored(case)
    platform.feed(case, score, score.model_copy())  # two envelopes, one score
    got = receiver.wait("/order", 1)
    time.sleep(0.5)
    assert [json.loads(b)["data"]["case_ref"] for b, _ in got] == [str(case.case_id)]


def test_an_erased_case_leaves_nothing_behind(platform_for, receiver):
    platform = platform_for()
    partner = platform.partner("partner.erasure", [KENTISH_TOWN], ["food"])
    platform.subscribe(partner, f"{receiver.url}/erasure")
    case = submitted()
    platform.feed(case, scored(case))
    receiver.wait("/erasure", 1)
    platform.feed(CaseErased.model_validate({"case_id": case.case_id,
                                             "erased_at": "2026-11-27T10:00:00Z"}))
    with platform.app.state.container.database.sessions() as session:
        left = (session.scalar(select(func.count()).select_from(Delivery)),
                session.scalar(select(func.count()).select_from(KnownCase)))
    assert left == (0, 0)


def placed(case, ward: str, version: int) -> CasePlaced:  # type: ignore[no-untyped-def]
    return CasePlaced.model_validate({
        "case_id": case.case_id, "placed_at": "2026-11-27T10:00:00Z",
        "location": {"ward_code": ward, "lsoa_code": None, "resolved": True},
        "actor_role": "staff", "actor_id": "staff.duty-desk", "case_version": version})


def test_a_case_placed_by_staff_is_told_to_the_partners_of_its_new_ward(platform_for,
                                                                       receiver):
    """``civic.case.placed.v1`` (cases.lifecycle): the case's ward is followed, so a case
    filed unplaced reaches the partners covering the ward staff chose, once; a stale
    placement changes nothing; one read before its case is not undone by the submission.
    Seen to fail with the placement ignored (nobody was told) and with the submission
    always taking its own ward (the early placement was lost)."""
    platform = platform_for()
    kentish = platform.partner("partner.kentish", [KENTISH_TOWN], ["food"])
    kings = platform.partner("partner.kings", [KINGS_CROSS], ["food"])
    platform.subscribe(kentish, f"{receiver.url}/kentish")
    platform.subscribe(kings, f"{receiver.url}/kings")
    unplaced = submitted(ward=None)  # type: ignore[arg-type]
    platform.feed(unplaced, scored(unplaced))
    platform.feed(placed(unplaced, KINGS_CROSS, 2), placed(unplaced, KENTISH_TOWN, 2))
    told = receiver.wait("/kings", 1)
    assert json.loads(told[0][0])["data"]["ward"] == KINGS_CROSS

    early = submitted()  # filed in Kentish Town, placed in King's Cross before it is read
    platform.feed(placed(early, KINGS_CROSS, 2), early, scored(early))
    receiver.wait("/kings", 2)
    time.sleep(0.5)
    assert receiver.got["/kentish"] == [], "stale and undone placements tell nobody"
    with platform.app.state.container.database.sessions() as session:
        assert session.get(KnownCase, early.case_id).ward == KINGS_CROSS  # type: ignore[union-attr]
