"""Group commit under real concurrency: cases written in one batch still link to each
other, concurrent repeats of an idempotency key file one case, and one bad case does
not take its batch down."""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from case_intake.cases.models import Case
from case_intake.cases.schemas import CaseCreate
from civic.errors import DomainError
from civic.http.auth import Principal, Role
from civic.outbox import outbox

STAFF = Principal("staff.writer-test", Role.STAFF)


def _count(client, table) -> int:  # type: ignore[no-untyped-def]
    with client.app.state.container.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_cases_committed_together_still_count_each_other_as_earlier_contacts(client,
                                                                              case_body):
    service = client.app.state.container.filing
    same_person = CaseCreate.model_validate(case_body())
    others = [CaseCreate.model_validate(case_body(contact={"name": f"Other {i}",
                                                           "phone": f"07700 900{i:03d}"}))
              for i in range(20)]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda b: service.create(b, STAFF, None),
                                [same_person] * 12 + others))
    assert all(status == 201 for status, _ in results)
    ids = [response["id"] for _, response in results[:12]]
    with client.app.state.container.database.sessions() as session:
        counts = sorted(session.scalar(select(Case.previous_contacts_12m).where(Case.id == i))
                        for i in ids)
    assert counts == list(range(12))  # each saw exactly the ones committed before it
    assert _count(client, outbox) == 32


def test_concurrent_repeats_of_one_idempotency_key_file_one_case(client, case_body):
    service = client.app.state.container.filing
    body = CaseCreate.model_validate(case_body())
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: service.create(body, STAFF, "same-key-0001"),
                                range(24)))
    assert {r[1]["id"] for r in results} == {results[0][1]["id"]}
    assert _count(client, Case.__table__) == 1
    assert _count(client, outbox) == 1


def test_concurrent_different_bodies_under_one_key_give_one_case_and_clear_errors(
        client, case_body):
    service = client.app.state.container.filing
    bodies = [CaseCreate.model_validate(case_body(urgency=u))
              for u in ("today", "this_week", "can_wait") * 4]

    def attempt(body):  # type: ignore[no-untyped-def]
        try:
            return service.create(body, STAFF, "contested-key-1")[0]
        except DomainError as exc:
            assert "different body" in (exc.detail or "")
            return exc.status

    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(attempt, bodies))
    assert 201 in statuses and set(statuses) <= {201, 422}
    assert _count(client, Case.__table__) == 1


def test_a_case_that_cannot_be_stored_fails_alone(client, case_body):
    service = client.app.state.container.filing
    good = [service.prepare(CaseCreate.model_validate(case_body()), STAFF)
            for _ in range(5)]
    clash = service.prepare(CaseCreate.model_validate(case_body()), STAFF)
    clash.case = copy.deepcopy(clash.case)
    clash.case["id"] = good[0].case["id"]  # primary key clash with a case in the batch
    clash.personal["case_id"] = good[0].case["id"]
    writer = service.writer
    writer._commit([*good, clash])
    assert all(g.future.result(5)[0] == 201 for g in good)
    with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate") as failure:
        clash.future.result(5)
    # the error (and so any log line quoting it) names no personal data
    for personal in ("Ada", "7974", "ada@example.org", "cupboards"):
        assert personal not in str(failure.value)
    assert _count(client, Case.__table__) == 5


def test_an_app_restarted_in_the_same_process_still_writes_and_relays(settings, case_body):
    from fastapi.testclient import TestClient

    from case_intake.app import create_app

    app = create_app(settings)
    key = app.state.api_keys.create("staff.restart", Role.STAFF)
    for round_ in range(2):
        with TestClient(app) as client:
            response = client.post("/v1/cases", json=case_body(),
                                   headers={"Authorization": f"Bearer {key}"})
            assert response.status_code == 201, f"round {round_}: {response.text}"
            assert app.state.container.filing.writer.running
    assert not app.state.container.filing.writer.running  # shut down with the app
