"""One endpoint's backlog never hides another's: a worker whose slow endpoint has
every slot in use, with far more of its messages due than the worker looks at in one
go, still takes the one message for a healthy endpoint at once.

Seen to fail without the busy endpoints left out of the query (the healthy message
was never taken)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from partner_notifications.deliveries.models import Delivery

from .conftest import KENTISH_TOWN


def test_a_full_endpoint_with_a_long_queue_does_not_hide_the_others(platform_for, receiver):
    platform = platform_for(run_worker=False, delivery_batch=10, per_endpoint_concurrency=2)
    slow = platform.subscribe(platform.partner("partner.slow", [KENTISH_TOWN], ["food"]),
                              f"{receiver.url}/slow")
    healthy = platform.subscribe(platform.partner("partner.fine", [KENTISH_TOWN], ["food"]),
                                 f"{receiver.url}/fine")
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    with platform.app.state.container.database.sessions.begin() as session:
        for n in range(200):  # twenty times what one look takes in
            session.add(_delivery(slow["id"], "partner.slow", earlier + timedelta(seconds=n)))
        session.add(_delivery(healthy["id"], "partner.fine", datetime.now(UTC)))
    worker = platform.app.state.container.worker
    first = worker.take()
    for job in first:  # as the worker does when it starts them
        worker.in_flight[job.subscription_id] += 1
    taken = [str(j.subscription_id) for j in first + worker.take()]
    assert taken.count(slow["id"]) == 2, "no more than its slots"
    assert healthy["id"] in taken, "the healthy endpoint's message was taken"


def _delivery(subscription_id: str, partner_id: str, due: datetime) -> Delivery:
    return Delivery(id=uuid.uuid4(), event_id=str(uuid.uuid4()),
                    subscription_id=uuid.UUID(subscription_id), partner_id=partner_id,
                    webhook_type="case.scored", case_id=None, body="{}", status="pending",
                    attempts=0, next_attempt_at=due, created_at=due)
