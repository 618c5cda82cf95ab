"""The staff queue page with ``BENCH_QUEUE_CASES`` (100,000) open scored cases and
``BENCH_QUEUE_CLOSED`` (50,000) closed ones on SQLite,
against the bare JSON case list (``GET /v1/cases``, keyset-paged, no scores, no HTML) of
the same server in the same run: one request at a time, as a person paging, so the
figures are latency, not throughput.

Four walks each: the first page again and again; paging deep (``BENCH_QUEUE_PAGES``
pages of 50, following each page's next link); a filtered first page (one kind of
help); and a filter no open case matches (claimed), which is what closed cases could
cost: a page reads until it is full or the open cases end. The queue's signed-in
session is checked (and touched) on every request, as in use; the JSON list takes a
staff API key."""

from __future__ import annotations

import os
import re
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

import httpx
from sqlalchemy import insert

from benchmarks.common import Server
from case_intake.cases.models import Case
from case_intake.database import schema
from case_intake.scores.models import CaseScore
from case_intake.scores.ordering import queue_key
from civic.db import ServiceDatabase
from civic.http.auth import ApiKeyStore, Role
from civic.kafka.broker import free_port
from civic.reference import geography

CASES = int(os.environ.get("BENCH_QUEUE_CASES", "100000"))
CLOSED = int(os.environ.get("BENCH_QUEUE_CLOSED", "50000"))
PAGES = int(os.environ.get("BENCH_QUEUE_PAGES", "200"))
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NEXT = re.compile(r'href="([^"]+)" rel="next"')
BANDS = ["low", "medium", "high", "urgent"]
CATEGORIES = ["food", "medicine", "money", "housing", "loneliness", "digital_access"]


def _fill(database: ServiceDatabase, count: int, closed: int) -> None:
    """``count`` open scored cases, then ``closed`` closed ones, with their score rows."""
    rng, wards = Random(5), sorted(geography().wards)
    start = datetime.now(UTC) - timedelta(days=30)
    with database.engine.begin() as conn:
        for first in range(0, count + closed, 5000):
            cases, scores = [], []
            for n in range(first, min(count + closed, first + 5000)):
                case_id, at = str(uuid.UUID(int=rng.getrandbits(128))), start + timedelta(
                    seconds=n * 20)
                band, score = rng.choice(BANDS), rng.randint(0, 100)
                status = rng.choice(["submitted", "triaged"]) if n < count else "closed"
                cases.append({
                    "id": case_id, "created_at": at, "updated_at": at, "channel": "phone",
                    "source": None, "categories": rng.sample(CATEGORIES, 2),
                    "urgency": "this_week", "household": {"people": 1},
                    "status": status, "ward_code": rng.choice(wards),
                    "lsoa_code": None, "location_resolved": True, "needs_review": False,
                    "review_reason": None, "resident_key": None, "previous_contacts_12m": 0,
                    "lawful_basis": "public_task", "share_with_partners": True,
                    "terms_version": "2026-10", "claimed_by": None,
                    "receipt_hash": uuid.uuid4().hex, "created_by": "staff.bench",
                    "erased_at": None, "version": 1})
                scores.append({
                    "case_id": case_id, "score": score, "band": band,
                    "queue_key": queue_key(band, score, status), "policy_version": "need-2026.11",
                    "reasons": ["Help is needed today."], "overridden": False,
                    "scored_at": at, "event_id": uuid.uuid4().hex, "opened_at": at})
            conn.execute(insert(Case), cases)
            conn.execute(insert(CaseScore), scores)


def _walk(client: httpx.Client, url: str, count: int, *, follow: bool,
          next_of: Any) -> dict[str, float]:
    """``count`` requests of ``url``, or following next links: milliseconds, and how
    many different pages were seen."""
    took, at, seen = [], url, set()
    for _ in range(count):
        started = time.perf_counter()
        answer = client.get(at)
        took.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text[:300]
        seen.add(at)
        if follow:
            at = next_of(answer) or url  # past the end: start again
    ranked = sorted(took)
    return {"requests": len(ranked), "pages_seen": len(seen), "p50_ms": ranked[len(ranked) // 2],
            "p99_ms": ranked[min(len(ranked) - 1, int(0.99 * len(ranked)))]}


def run(cases: int = CASES, pages: int = PAGES, closed: int = CLOSED) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/queue.db"
        database = ServiceDatabase(schema(), url)
        database.migrate()
        started = time.perf_counter()
        _fill(database, cases, closed)
        fill_s = time.perf_counter() - started
        key = ApiKeyStore(database.engine).create("staff.bench", Role.STAFF)
        database.dispose()
        server = Server("case_intake.app:create_app", free_port(), {
            "CASE_INTAKE_DATABASE_URL": url, "CASE_INTAKE_RUN_RELAY": "false",
            "CASE_INTAKE_RUN_CONSUMERS": "false", "CASE_INTAKE_APPLY_TOPICS": "false",
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "CIVIC_ENV": "dev"}, factory=True)
        try:
            server.wait("/healthz")  # (ready would want the broker, not needed here)
            with httpx.Client(base_url=server.url, timeout=60) as page, httpx.Client(
                    base_url=server.url, timeout=60,
                    headers={"Authorization": f"Bearer {key}"}) as api:
                token = CSRF.search(page.get("/staff/sign-in").text).group(1)  # type: ignore[union-attr]
                signed = page.post("/staff/sign-in", data={"api_key": key, "csrf_token": token})
                assert signed.status_code == 303, signed.text[:300]  # to phone mode: signed in

                def next_page(answer: httpx.Response) -> str | None:
                    found = NEXT.search(answer.text)
                    return found.group(1).replace("&amp;", "&") if found else None

                def next_json(answer: httpx.Response) -> str | None:
                    cursor = answer.json()["next_cursor"]
                    return f"/v1/cases?limit=50&cursor={cursor}" if cursor else None

                _walk(page, "/staff/queue", 20, follow=False, next_of=None)  # warm
                _walk(api, "/v1/cases?limit=50", 20, follow=False, next_of=None)
                walks = {
                    "first_page": ("/staff/queue", "/v1/cases?limit=50", False),
                    "paging_deep": ("/staff/queue", "/v1/cases?limit=50", True),
                    "filtered": ("/staff/queue?category=housing",
                                 "/v1/cases?limit=50&category=housing", False),
                    # nothing open matches (no case is claimed): what closed cases cost
                    "no_match": ("/staff/queue?status=claimed",
                                 "/v1/cases?limit=50&status=claimed", False)}
                results: dict[str, Any] = {"cases": cases, "closed": closed, "fill_s": fill_s,
                                           "pages": pages}
                for name, (queue_url, json_url, follow) in walks.items():
                    queue = _walk(page, queue_url, pages, follow=follow, next_of=next_page)
                    bare = _walk(api, json_url, pages, follow=follow, next_of=next_json)
                    results[name] = {"queue": queue, "json_list": bare,
                                     "p99_ratio": queue["p99_ms"] / bare["p99_ms"]}
                return results
        finally:
            server.stop()


def report(results: dict[str, Any]) -> None:
    print(f"Staff queue page vs the JSON case list, SQLite, {results['cases']:,} open scored "
          f"cases and {results['closed']:,} closed ({results['pages']} requests per walk, "
          "one at a time)")
    for name, label in (("first_page", "first page"), ("paging_deep", "paging deep"),
                        ("filtered", "one kind of help"), ("no_match", "nothing matches")):
        got = results[name]
        print(f"  {label:<17} queue p50 {got['queue']['p50_ms']:6.1f} ms  p99 "
              f"{got['queue']['p99_ms']:6.1f} ms   JSON list p50 "
              f"{got['json_list']['p50_ms']:6.1f} ms  p99 {got['json_list']['p99_ms']:6.1f} ms"
              f"   p99 ratio {got['p99_ratio']:.2f}")
    print(flush=True)


if __name__ == "__main__":
    report(run())
