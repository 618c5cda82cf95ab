"""From paper to a case, across services on the real broker and in Debian's chromium:
a resident scans a poster's code, lands on case intake's form with the code as its
source, asks for help, and QR events' figures for that code show the scan and the case
(joined from cases.submitted). Nothing about the resident reaches QR events.

Mutation seen to fail: the redirect not adding ``source`` (no conversion was counted)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from case_intake.app import create_app as create_intake
from case_intake.settings import Settings as IntakeSettings
from civic.http.auth import ensure_dev_keys
from civic.kafka.broker import free_port
from civic_testing import LiveServer
from qr_events.app import create_app as create_qr
from qr_events.settings import Settings as QrSettings

pytestmark = [pytest.mark.broker, pytest.mark.browser, pytest.mark.slow]
STAFF = {"Authorization": "Bearer civic_dev_staff_key"}
PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")


def fill_and_send(page: Any) -> None:
    page.get_by_label("Food", exact=True).check()
    page.get_by_label("In the next few days").check()
    page.get_by_label("How many people live in your home, including you?").fill("2")
    page.get_by_label("How many of them are under 18?").fill("0")
    page.locator("#disability-2").check()
    page.locator("#internet-1").check()
    page.get_by_label("Postcode", exact=True).fill("NW5 1AH")
    page.get_by_label("Full name").fill("Ada Example")
    page.get_by_label("Phone number").fill("020 7974 4444")
    page.get_by_label("I have read how you will use my information").check()
    page.get_by_role("button", name="Send request").click()


def test_a_case_filed_after_a_scan_is_the_codes_conversion(kafka_bootstrap, tmp_path,
                                                           browser):
    intake = create_intake(IntakeSettings(database_url=f"sqlite:///{tmp_path}/intake.db",
                                          kafka_bootstrap_servers=kafka_bootstrap,
                                          environment="dev", tune_gc=False))
    with LiveServer(intake) as intake_server:
        port = free_port()
        qr = create_qr(QrSettings(database_url=f"sqlite:///{tmp_path}/qr.db",
                                  kafka_bootstrap_servers=kafka_bootstrap,
                                  public_base_url=f"http://127.0.0.1:{port}",
                                  consumer_group=f"qr-attribution-{uuid.uuid4().hex[:8]}",
                                  intake_form_url=f"{intake_server.url}/request-help"))
        ensure_dev_keys(qr.state.container.database.engine)
        with LiveServer(qr, port=port) as qr_server:
            made = httpx.post(f"{qr_server.url}/v1/codes", headers=STAFF, json={
                "destination": {"kind": "intake_form"}, "touchpoint": "poster",
                "venue_name": "Kentish Town Library", "ward": "E05000139",
                "campaign": "winter-2026", "print_batch": "libraries-001"}).json()
            context = browser.new_context(java_script_enabled=False, user_agent=PHONE)
            page = context.new_page()
            page.goto(made["scan_url"])
            assert page.url.startswith(f"{intake_server.url}/request-help?source=qr-")
            fill_and_send(page)
            assert page.locator("h1").inner_text() == "Request sent"
            context.close()
            stats: dict[str, Any] = {}
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                stats = httpx.get(f"{qr_server.url}/v1/codes/{made['code']}/stats",
                                  headers=STAFF).json()
                if stats["totals"]["conversions"]:
                    break
                time.sleep(0.5)
            # If it never came: did intake publish it, and how far behind is QR events?
            waiting = intake.state.container.relay.backlog()
            lag = [line for line in httpx.get(f"{qr_server.url}/metrics").text.splitlines()
                   if line.startswith("civic_qr_events_consumer_lag")]
    totals = stats["totals"]
    assert (totals["scans"], totals["scanned"], totals["mobile"], totals["conversions"]) == \
        (1, 1, 1, 1), (totals, f"intake outbox: {waiting}", lag)
    assert totals["conversion_rate"] == 1.0
    assert [day["conversions"] for day in stats["by_day"]] == [1]
