"""Demo data for `make dev`: the dev API keys and a handful of demo codes, one for each
way a scan can end, with a PDF poster for each so a newcomer can point a phone at the
screen (or type the short URL printed on it).

Demo only: it refuses to run outside development. Idempotent: the codes are fixed
(``DEMO_CODES``), and a code that exists already is left alone. The codes' events go
through the outbox, so the running service's relay publishes them and its view learns
them from ``qr.codes``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from civic.db import ServiceDatabase
from civic.errors import DomainError
from civic.http.auth import DEV_KEYS, Principal, Role, ensure_dev_keys
from qr_events.codes.destinations import Destinations
from qr_events.codes.identifiers import check_character
from qr_events.codes.links import ShortLinks
from qr_events.codes.schemas import CodeIn, DestinationChangeIn, RetireIn
from qr_events.codes.service import CodeService
from qr_events.codes.view import CodeView
from qr_events.images.schemas import PosterQuery
from qr_events.images.service import ImageService
from qr_events.settings import Settings

DEMO_STAFF = Principal("staff.demo", Role.STAFF)
KENTISH_TOWN = "E05000139"
CAMPAIGN = "demo-winter"


def demo_code(body: str) -> str:
    return body + check_character(body)


def _plan(now: datetime) -> list[tuple[str, dict[str, Any]]]:
    base = {"ward": KENTISH_TOWN, "campaign": CAMPAIGN, "print_batch": "demo-001"}
    form = {"kind": "intake_form"}
    warm = {"kind": "url", "url": "https://www.camden.gov.uk/warm-spaces"}
    return [
        ("CAMDEN", base | {"destination": form, "touchpoint": "poster",
                           "venue_name": "Kentish Town Library"}),
        ("FEEDME", base | {"destination": form, "touchpoint": "leaflet"}),
        ("WARMXY", base | {"destination": warm, "touchpoint": "venue",
                           "venue_name": "Kentish Town Community Centre"}),
        ("NEXT7K", base | {"destination": warm, "touchpoint": "sticker"}),
        ("EXPRD4", base | {"destination": form, "touchpoint": "letter",
                           "valid_from": now - timedelta(days=60),
                           "valid_until": now - timedelta(days=1)}),
        ("NEWDAY", base | {"destination": form, "touchpoint": "poster",
                           "valid_from": now + timedelta(days=7)}),
        ("RETYRD", base | {"destination": form, "touchpoint": "poster"}),
    ]


def seed(settings: Settings, database: ServiceDatabase, posters: str) -> int:
    if settings.is_production or settings.environment != "dev":
        print("qr-events seed: refusing to create demo data outside CIVIC_ENV=dev",
              file=sys.stderr)
        return 1
    ensure_dev_keys(database.engine)
    links = ShortLinks(settings.base_url())
    codes = CodeService(database.sessions, Destinations(
        settings.intake_form_url, tuple(settings.allowed_destination_domains),
        allow_dev_http=True), links, CodeView(), {KENTISH_TOWN},
        code_length=settings.code_length)
    now = datetime.now(UTC)
    made = 0
    for body, fields in _plan(now):
        code = demo_code(body)
        try:
            codes.row(code)
            continue  # seeded by an earlier run
        except DomainError:
            pass
        codes.create(CodeIn.model_validate(fields), DEMO_STAFF, short_code=code)
        made += 1
        if body == "NEXT7K":
            codes.change_destination(code, DestinationChangeIn.model_validate(
                {"destination": {"kind": "intake_form"}, "switch_at": now + timedelta(days=3)}),
                DEMO_STAFF)
        if body == "RETYRD":
            codes.retire(code, RetireIn(replacement=demo_code("CAMDEN")), DEMO_STAFF)
    folder = Path(posters)
    folder.mkdir(parents=True, exist_ok=True)
    images = ImageService(codes, links, council_name=settings.council_name)
    for body in ("CAMDEN", "WARMXY"):
        code = demo_code(body)
        (folder / f"poster-{code}.pdf").write_bytes(images.poster(code, PosterQuery()).content)
    print(f"qr-events seed: {made} demo code(s) made; staff key "
          f"{DEV_KEYS['staff.demo'][1]}; try {links.short_url(demo_code('CAMDEN'))}; "
          f"posters in {folder}/")
    return 0
