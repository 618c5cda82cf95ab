"""Demo data for `make dev`: the well-known dev API keys and a borough's worth of demo
cases, so that a newcomer's first heat map shows figures, not a blank borough.

- **Demo only.** It refuses to run outside development (``CIVIC_ENV=dev``). Every demo
  case is marked: channel ``import``, source ``demo-seed``, filed by ``staff.demo``. None
  carries real-looking personal data: an invented name ("Demo Resident 0042"), no phone
  number, email or date of birth, and an address that says it is none. Only the
  postcode is real (from ``infra/reference/<council>/postcodes.csv``), so each case is
  placed in its ward and small area as a real one would be.
- **Realistic spread.** Cases fall in small areas in proportion to population, weighted
  towards deprivation, over the last 28 days (more of them recent, as older cases are
  more often closed), with varied needs, urgency and households, so bands vary too.
- **Quick.** Cases are prepared in memory and stored by the group-commit writer, a few
  hundred per transaction, each with its event in the outbox for the running service's
  relay: a second or two for 800.
- **Work to do.** Every third demo case is triaged as the duty desk would, so the
  partner board (`/partner/board`) has cases to claim; the rest wait in the staff queue.
- **Idempotent.** The plan is fixed (a seeded generator); a run files only the part of
  it not yet in the database, so a second `make dev` adds nothing. The embedded broker
  keeps nothing across restarts, so on a fresh one (``CIVIC_DEV_BROKER=embedded``, set
  by `civic dev`) the open demo cases already filed are put back on the bus instead.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Row, func, select
from sqlalchemy.orm import sessionmaker

from case_intake import IDENTITY
from case_intake.cases.models import Case
from case_intake.cases.new_case import prepare
from case_intake.cases.schemas import CaseCreate
from case_intake.cases.service import CaseService
from case_intake.cases.writer import CaseWriter, NewCase
from case_intake.location.resolver import LocationResolver
from case_intake.metrics import IntakeMetrics
from case_intake.residents.pseudonym import Pseudonymiser
from case_intake.settings import Settings
from civic import outbox
from civic.contracts.cases import CaseLocation, CaseSubmitted, ConsentFacts
from civic.contracts.common import OPEN_STATUSES, CaseStatus
from civic.db import write_lock
from civic.http.auth import DEV_KEYS, Principal, Role, ensure_dev_keys
from civic.reference import Geography, geography

DEMO_SOURCE = "demo-seed"
DEMO_CHANNEL = "import"
DEMO_STAFF = "staff.demo"
TRIAGED_EVERY = 3  # every third demo case is triaged: the partner board's work
FRESH_BROKER_ENV = "CIVIC_DEV_BROKER"  # "embedded": a new, empty in-memory broker
CATEGORIES = {"food": 5, "money": 4, "loneliness": 3, "housing": 3, "medicine": 3,
              "isolation_support": 2, "social_care": 2, "digital_access": 1, "other": 1}


@dataclass(frozen=True)
class DemoCase:
    body: CaseCreate
    age: timedelta  # how long before the seeding it was filed


def demo_plan(count: int, terms_version: str, places: Geography) -> list[DemoCase]:
    """The same `count` demo cases on every run."""
    rng = random.Random(2026)
    postcodes: dict[str, list[str]] = {}
    for postcode, lsoa in sorted(places.postcodes.items()):
        postcodes.setdefault(lsoa, []).append(postcode)
    codes = sorted(code for code in places.areas if code in postcodes)
    weights = [places.areas[c].population * (11 - places.areas[c].imd_decile) ** 2
               for c in codes]
    plan = []
    for i in range(count):
        lsoa = rng.choices(codes, weights)[0]
        people = rng.choices([1, 2, 3, 4, 5], [5, 3, 2, 2, 1])[0]
        body = CaseCreate.model_validate({
            "channel": DEMO_CHANNEL, "source": DEMO_SOURCE,
            "categories": _categories(rng),
            "urgency": rng.choices(["today", "this_week", "can_wait"], [1, 2, 2])[0],
            "household": {"people": people, "children": rng.randint(0, people - 1),
                          "lives_alone": people == 1 and rng.random() < 0.8,
                          "disability_or_long_term_condition": rng.random() < 0.3,
                          "no_internet_access": rng.random() < 0.2},
            "contact": {"name": f"Demo Resident {i + 1:04d}",
                        "address": "Demo data: not a real address"},
            "location": {"postcode": rng.choice(postcodes[lsoa])},
            "consent": {"lawful_basis": "public_task",
                        "share_with_partners": rng.random() < 0.8,
                        "terms_version": terms_version},
            "details": "Demo case made by make dev; not a real person.",
        })
        age = timedelta(days=min(27, int(rng.expovariate(1 / 9))), hours=rng.uniform(0, 10))
        plan.append(DemoCase(body, age))
    return plan


def _categories(rng: random.Random) -> list[str]:
    wanted = rng.choices([1, 2, 3], [5, 3, 1])[0]
    chosen: list[str] = []
    while len(chosen) < wanted:
        category = rng.choices(list(CATEGORIES), list(CATEGORIES.values()))[0]
        if category not in chosen:
            chosen.append(category)
    return chosen


def seed(settings: Settings, engine: Engine, count: int) -> int:
    if settings.environment != "dev":
        print(f"refusing to seed demo data outside development (CIVIC_ENV is "
              f"{settings.environment!r}, not 'dev')")
        return 1
    started = time.perf_counter()
    ensure_dev_keys(engine)
    there = demo_cases_filed(engine)
    announced = (announce_open_demo_cases(engine)
                 if there and os.environ.get(FRESH_BROKER_ENV) == "embedded" else 0)
    todo = demo_plan(count, settings.terms_version, geography())[there:]
    triage_demo_cases(engine, file_cases(settings, engine, todo)[::TRIAGED_EVERY])
    took = time.perf_counter() - started
    print(f"seeded {len(todo)} demo cases in {took:.1f} s ({there} already there"
          + (f", {announced} open ones announced again" if announced else "")
          + "); dev API keys: "
          + ", ".join(f"{name}={key}" for name, (_, key) in DEV_KEYS.items()), flush=True)
    return 0


def demo_cases_filed(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Case).where(
            Case.source == DEMO_SOURCE, Case.created_by == DEMO_STAFF)).scalar_one())


def file_cases(settings: Settings, engine: Engine, plan: list[DemoCase]) -> list[str]:
    """Prepared as the API prepares a case, stored by the writer the API uses, in order,
    backdated by each case's age. The new cases' ids, in the plan's order."""
    if not plan:
        return []
    resolver = LocationResolver(geography())
    pseudonymiser = Pseudonymiser(settings.pseudonym_secret.get_secret_value())
    staff = Principal(DEMO_STAFF, Role.STAFF)
    now = datetime.now(UTC)
    writer = CaseWriter(engine, timedelta(days=settings.contact_lookback_days))
    try:
        prepared = [_backdated(prepare(demo.body, staff, resolver, pseudonymiser),
                               now - demo.age) for demo in plan]
        for future in [writer.submit(new) for new in prepared]:
            future.result(timeout=120)
    finally:
        writer.stop()
    return [new.case_id for new in prepared]


def triage_demo_cases(engine: Engine, case_ids: list[str]) -> None:
    """Triaged through the case service, as staff do: history, version and event."""
    cases = CaseService(engine, sessionmaker(engine, expire_on_commit=False),
                        IntakeMetrics())
    staff = Principal(DEMO_STAFF, Role.STAFF)
    for case_id in case_ids:
        cases.change_status(case_id, CaseStatus.TRIAGED, "Demo: checked by the duty desk",
                            staff)


def _backdated(new: NewCase, at: datetime) -> NewCase:
    new.case["created_at"] = new.case["updated_at"] = at
    new.first_status["at"] = at
    new.event["submitted_at"] = at
    return new


def announce_open_demo_cases(engine: Engine) -> int:
    """Put each open demo case's submission back in the outbox, for a broker that has
    never seen it. Need scoring counts a case once however often it is announced."""
    with write_lock(engine), engine.begin() as conn:
        events = list(_submissions(conn.execute(select(Case.__table__).where(
            Case.source == DEMO_SOURCE, Case.created_by == DEMO_STAFF,
            Case.status.in_([s.value for s in OPEN_STATUSES])).order_by(Case.created_at))))
        outbox.enqueue_many(conn, events, source=IDENTITY.event_source)
    return len(events)


def _submissions(rows: Iterable[Row[Any]]) -> Iterator[CaseSubmitted]:
    for row in rows:
        yield CaseSubmitted(
            case_id=row.id, submitted_at=row.created_at, channel=row.channel,
            source=row.source, categories=row.categories, urgency=row.urgency,
            household=row.household, location=CaseLocation(
                ward_code=row.ward_code, lsoa_code=row.lsoa_code,
                resolved=row.location_resolved),
            resident_key=row.resident_key, previous_contacts_12m=row.previous_contacts_12m,
            consent=ConsentFacts(lawful_basis=row.lawful_basis,
                                 share_with_partners=row.share_with_partners,
                                 terms_version=row.terms_version),
            case_version=row.version)
