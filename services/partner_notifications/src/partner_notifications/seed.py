"""`python -m partner_notifications seed`: the dev keys and the demo partner for
`make dev`.

Demo only: it refuses to run outside development. Idempotent. The demo partner covers
every ward and category with the dev partner key. Its directory record (every partner's,
on later runs, since the dev broker starts empty) is published when the service next
runs, so the same key claims at case intake.
"""

from __future__ import annotations

import os
import sys

from civic.db import ServiceDatabase
from civic.errors import NotFound
from civic.http.auth import DEV_KEYS, ApiKeyStore, Coverage, Principal, Role, ensure_dev_keys
from partner_notifications.partners.schemas import PartnerIn
from partner_notifications.partners.service import PartnerService
from partner_notifications.settings import Settings

DEMO_PARTNER = "partner.demo-foodbank"
# The demo receiver's secret in make dev (infra/dev.yaml gives the receiver the same),
# and where the demo partner's subscription points: never anything but demo data.
DEMO_SECRET = "whsec_ZGVtby1wYXJ0bmVyLXNlY3JldC1mb3ItbWFrZS1kZXY="
RECEIVER_URL = "DEMO_PARTNER_WEBHOOKS_URL"
DEMO_OPS = Principal("ops.demo", Role.OPS)


def seed(settings: Settings, database: ServiceDatabase) -> int:
    if settings.is_production or settings.environment != "dev":
        print("partner-notifications seed: refusing to create demo data outside CIVIC_ENV=dev",
              file=sys.stderr)
        return 1
    ensure_dev_keys(database.engine)
    partners = PartnerService(database.sessions, ApiKeyStore(database.engine))
    try:
        partners.get(DEMO_PARTNER)
        made = 0
        partners.announce_all()  # the dev broker starts empty on every run
    except NotFound:
        everything = Coverage.everything()
        partners.register(PartnerIn.model_validate({
            "id": DEMO_PARTNER, "organisation": "Demo Food Bank",
            "contact": "coordinator@demo-foodbank.example", "wards": sorted(everything.wards),
            "categories": sorted(everything.categories)}), DEMO_OPS)
        partners.issue_key(DEMO_PARTNER, DEMO_OPS, key=DEV_KEYS[DEMO_PARTNER][1])
        made = 1
    if (url := os.environ.get(RECEIVER_URL)) and made:
        _subscribe_demo_partner(settings, database, url)
    print(f"partner-notifications seed: {made} demo partner made; ops key "
          f"{DEV_KEYS['ops.demo'][1]}; partner key {DEV_KEYS[DEMO_PARTNER][1]}")
    return 0


def _subscribe_demo_partner(settings: Settings, database: ServiceDatabase, url: str) -> None:
    """Every event type, for every ward and category, to the demo receiver."""
    from datetime import timedelta

    from partner_notifications.sending.egress import GuardedBackend
    from partner_notifications.sending.sender import WebhookSender
    from partner_notifications.subscriptions.schemas import SubscriptionIn, WebhookType
    from partner_notifications.subscriptions.service import SubscriptionService

    service = SubscriptionService(
        database.sessions, WebhookSender(GuardedBackend(), connect_timeout_s=1, total_timeout_s=1),
        dev_allowed=frozenset(settings.dev_allowed_addresses), secret_overlap=timedelta(0),
        max_previous_secrets=1)
    partner = Principal(DEMO_PARTNER, Role.PARTNER, Coverage.everything())
    service.create(SubscriptionIn(url=url, event_types=list(WebhookType)), partner,
                   secret=DEMO_SECRET)
