"""Demo data for `make dev`: well-known dev API keys and cases filed over HTTP, so the
events flow exactly as real ones would. Refuses to run in production."""

from __future__ import annotations

import logging
import random

import httpx
from sqlalchemy import Engine

from case_intake.settings import Settings
from civic.http.auth import DEV_KEYS, ensure_dev_keys
from civic.reference import geography

CATEGORIES = ["food", "medicine", "isolation_support", "social_care", "housing", "money",
              "digital_access", "loneliness"]
# Invented, obviously fictional residents: no real person's details in demo data.
NAMES = ["Alex Demo", "Sam Sample", "Jo Placeholder", "Chris Testcase", "Pat Fictional"]


def seed(settings: Settings, engine: Engine, count: int) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if settings.is_production:
        print("refusing to seed demo data in production")
        return 1
    ensure_dev_keys(engine)
    rng = random.Random(2026)
    areas = list(geography().areas.values())
    base = settings.base_url()
    headers = {"Authorization": f"Bearer {DEV_KEYS['staff.demo'][1]}"}
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        for i in range(count):
            people = rng.randint(1, 5)
            body = {
                "channel": rng.choice(["phone", "web", "partner", "qr"]) if i % 3 else "phone",
                "categories": rng.sample(CATEGORIES, rng.randint(1, 2)),
                "urgency": rng.choice(["today", "this_week", "can_wait"]),
                "household": {"people": people, "children": rng.randint(0, people - 1),
                              "lives_alone": people == 1,
                              "disability_or_long_term_condition": rng.random() < 0.3,
                              "no_internet_access": rng.random() < 0.2},
                "contact": {"name": rng.choice(NAMES),
                            "phone": f"07700 900{rng.randint(100, 999)}"},
                "location": {"lsoa_code": rng.choice(areas).code},
                "consent": {"lawful_basis": "public_task",
                            "share_with_partners": rng.random() < 0.8,
                            "terms_version": settings.terms_version},
            }
            if body["channel"] == "partner":
                body["channel"] = "phone"
            if body["channel"] == "qr":
                body["source"] = "winter-warmth-2026"
            response = client.post("/v1/cases", json=body,
                                   headers={"Idempotency-Key": f"demo-seed-{i:04d}"})
            response.raise_for_status()
    print(f"seeded {count} demo cases at {base}; dev API keys: "
          + ", ".join(f"{name}={key}" for name, (_, key) in DEV_KEYS.items()))
    return 0
