"""Outcomes are recorded in batches (one transaction for everything that came back while
the last batch was being written), and a batch changes nothing about what each outcome
means: the circuit counts every failure in order, each attempt has its event, a lease
taken over is left to its new holder, and one outcome that cannot be kept holds no
other back.

The one-by-one fallback was seen to fail this file's last test with it removed (the
healthy outcomes stayed unrecorded)."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import anyio
from sqlalchemy import select

from civic.contracts.partners import DeliveryAttempted
from civic.outbox import outbox
from partner_notifications.deliveries.models import Delivery, DeliveryAttempt
from partner_notifications.deliveries.outcomes import Outcome
from partner_notifications.sending.sender import AttemptResult
from partner_notifications.subscriptions.models import Subscription

from .conftest import KENTISH_TOWN

OK, FAILED = AttemptResult(204, 3, "", None), AttemptResult(500, 3, "answer 500", None)


def _two_endpoints(platform_for, receiver, pending: int):
    platform = platform_for(run_worker=False, circuit_threshold=3)
    subs = [platform.subscribe(platform.partner(name, [KENTISH_TOWN], ["food"]),
                               f"{receiver.url}/{name}")["id"]
            for name in ("partner.failing", "partner.fine")]
    earlier = datetime.now(UTC) - timedelta(minutes=1)
    with platform.app.state.container.database.sessions.begin() as session:
        for n in range(pending):
            for sub, partner in zip(subs, ("partner.failing", "partner.fine"), strict=True):
                session.add(Delivery(
                    id=uuid.uuid4(), event_id=str(uuid.uuid4()), subscription_id=uuid.UUID(sub),
                    partner_id=partner, webhook_type="case.scored", case_id=None, body="{}",
                    status="pending", attempts=0, next_attempt_at=earlier + timedelta(seconds=n),
                    created_at=earlier))
    container = platform.app.state.container
    jobs = container.worker.take()
    assert len(jobs) == 2 * min(pending, 4), "each endpoint's four slots were filled"
    return container, [uuid.UUID(s) for s in subs], jobs


def _rows(container):
    with container.database.sessions() as session:
        deliveries = {d.id: d for d in session.scalars(select(Delivery))}
        attempts = list(session.scalars(select(DeliveryAttempt)))
        subs = {s.id: s for s in session.scalars(select(Subscription))}
        events = [json.loads(v) for (v,) in session.execute(
            select(outbox.c.value).where(outbox.c.event_type == DeliveryAttempted.event_type)
            .order_by(outbox.c.id))]
    return deliveries, attempts, subs, events


def test_a_batch_of_outcomes_is_recorded_as_each_would_be_alone(platform_for, receiver):
    container, (failing, fine), jobs = _two_endpoints(platform_for, receiver, pending=4)
    batch = [Outcome(j.delivery_id, j.token, FAILED if j.subscription_id == failing else OK)
             for j in jobs]
    container.worker.recorder.record_all(batch)
    deliveries, attempts, subs, events = _rows(container)
    assert len(attempts) == len(events) == 8, "one attempt row and one event per outcome"
    assert [e["delivery_id"] for e in events] == [str(o.delivery_id) for o in batch]
    for job in jobs:
        row = deliveries[job.delivery_id]
        assert row.leased_by is None and row.attempts == 1
        assert row.status == ("pending" if job.subscription_id == failing else "delivered")
    assert subs[failing].circuit_failures == 4, "every failure in the batch counted"
    assert subs[failing].circuit_open_until is not None, "its circuit opened at three"
    assert subs[fine].circuit_failures == 0 and subs[fine].circuit_open_until is None


def test_an_outcome_whose_lease_was_taken_over_is_left_to_its_new_holder(platform_for,
                                                                          receiver):
    container, _, jobs = _two_endpoints(platform_for, receiver, pending=1)
    taken_over, kept = jobs
    with container.database.sessions.begin() as session:
        session.get(Delivery, taken_over.delivery_id).leased_by = "another-worker:lease"
    lost_before = container.worker.recorder.metrics.lease_lost._value.get()
    container.worker.recorder.record_all([Outcome(j.delivery_id, j.token, OK) for j in jobs])
    deliveries, attempts, _, _ = _rows(container)
    assert [a.delivery_id for a in attempts] == [kept.delivery_id]
    assert deliveries[taken_over.delivery_id].leased_by == "another-worker:lease"
    assert deliveries[taken_over.delivery_id].status == "pending"
    assert container.worker.recorder.metrics.lease_lost._value.get() == lost_before + 1


def test_one_outcome_that_cannot_be_kept_holds_no_other_back(platform_for, receiver,
                                                              monkeypatch, caplog):
    container, _, jobs = _two_endpoints(platform_for, receiver, pending=2)
    worker, bad = container.worker, jobs[1]
    advance = worker.recorder._advance

    def refuse_one(session, delivery, *args):
        if delivery.id == bad.delivery_id:
            raise RuntimeError("this row cannot be kept")
        return advance(session, delivery, *args)

    monkeypatch.setattr(worker.recorder, "_advance", refuse_one)
    worker._record([(job, OK) for job in jobs])
    deliveries, attempts, _, events = _rows(container)
    others = {j.delivery_id for j in jobs} - {bad.delivery_id}
    assert {a.delivery_id for a in attempts} == others
    assert len(events) == len(others), "no event for the outcome that was not kept"
    assert all(deliveries[d].status == "delivered" for d in others)
    unkept = deliveries[bad.delivery_id]
    assert unkept.status == "pending" and unkept.leased_by == bad.token, (
        "still leased: it is sent again, under its id, when the lease runs out")
    assert "could not be recorded" in caplog.text



def test_outcomes_still_waiting_at_shutdown_are_all_recorded(platform_for, receiver):
    """The attempts end (the stream closes) while the recorder holds the first of a
    batch: the rest of the batch is still taken and recorded, and recording ends."""
    container, _, jobs = _two_endpoints(platform_for, receiver, pending=2)
    finished, outcomes = anyio.create_memory_object_stream(len(jobs))
    for job in jobs:
        finished.send_nowait((job, OK))
    finished.close()
    with ThreadPoolExecutor(1) as thread:  # an earlier test may leave a loop on this one
        thread.submit(anyio.run, container.worker._record_outcomes, outcomes).result(30)
    deliveries, attempts, _, _ = _rows(container)
    assert {a.delivery_id for a in attempts} == {j.delivery_id for j in jobs}
    assert all(d.status == "delivered" for d in deliveries.values())
