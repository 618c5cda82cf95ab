"""/metrics has what ops watch (scans by outcome, via and device; redirect latency;
unsaved scans; outbox backlog; orphan scans; the code view's age), with no code,
address or agent in any label."""

from __future__ import annotations

import time

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"


def test_metrics_after_scans(client, make_code):
    code = make_code()["code"]
    client.get(f"/q/{code}?via=qr", headers={"User-Agent": PHONE}, follow_redirects=False)
    client.get("/q/K7HQ4M7", headers={"User-Agent": PHONE})
    deadline = time.monotonic() + 10
    while client.app.state.container.scans.buffer.unsaved and time.monotonic() < deadline:
        time.sleep(0.02)
    text = client.get("/metrics").text
    for series in ('civic_qr_events_scans_total{device_class="mobile",outcome="redirected",'
                   'via="scanned"}',
                   'civic_qr_events_orphan_scans_total{device_class="mobile",via="typed"}',
                   'civic_qr_events_redirect_seconds_bucket{le="0.005",outcome="redirected"}',
                   "civic_qr_events_scans_unsaved", "civic_qr_events_code_cache_age_seconds",
                   "civic_qr_events_codes_served", "civic_qr_events_outbox_backlog",
                   "civic_qr_events_build_info"):
        assert series in text, series
    words = [line.rsplit(" ", 1)[0] for line in text.splitlines()]
    for private in (code, "K7HQ4M7", "iPhone", "testclient"):
        assert not any(private in w for w in words), private
