"""Per-code and per-campaign figures from the daily aggregates (SQLite and PostgreSQL):
people apart from bots, repeats counted once, scanned apart from typed, grouped by day,
touchpoint, ward and code. Mutation seen to fail: bots added to people's scans."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from civic.contracts.qr import ScanOutcome

PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0"


def scan(client, code: str, agent: str, *, marked: bool = True) -> None:
    client.get(f"/q/{code}{'?via=qr' if marked else ''}", headers={"User-Agent": agent},
               follow_redirects=False)


def settle(client) -> None:
    container = client.app.state.container
    deadline = time.monotonic() + 10
    while container.scans.buffer.unsaved and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_codes_figures(client, make_code, staff):
    code = make_code()["code"]
    scan(client, code, PHONE)
    scan(client, code, PHONE)  # the same phone within the hour: a repeat
    scan(client, code, DESKTOP, marked=False)
    scan(client, code, "facebookexternalhit/1.1")
    settle(client)
    stats = client.get(f"/v1/codes/{code}/stats", headers=staff).json()
    totals = stats["totals"]
    assert (totals["scans"], totals["repeats"], totals["bots"]) == (2, 1, 1)
    assert (totals["scanned"], totals["typed"], totals["mobile"], totals["desktop"]) == \
        (1, 1, 1, 1)
    assert totals["by_outcome"] == {ScanOutcome.REDIRECTED.value: 2}
    assert totals["conversions"] == 0 and totals["conversion_rate"] == 0.0
    today = datetime.now(UTC).date().isoformat()
    assert [(d["day"], d["scans"]) for d in stats["by_day"]] == [(today, 2)]


def test_a_campaigns_figures_by_touchpoint_ward_and_code(client, make_code, staff):
    poster = make_code(campaign="spring", touchpoint="poster")["code"]
    letter = make_code(campaign="spring", touchpoint="letter", ward="E05000141")["code"]
    make_code(campaign="other")
    for code in (poster, letter):
        scan(client, code, PHONE)
    scan(client, letter, DESKTOP)
    settle(client)
    stats = client.get("/v1/campaigns/spring/stats", headers=staff).json()
    assert stats["codes"] == 2 and stats["totals"]["scans"] == 3
    assert {g["key"]: g["scans"] for g in stats["by_touchpoint"]} == {"poster": 1,
                                                                      "letter": 2}
    assert {g["key"]: g["scans"] for g in stats["by_ward"]} == {"E05000139": 1,
                                                                "E05000141": 2}
    assert {g["key"]: g["scans"] for g in stats["by_code"]} == {poster: 1, letter: 2}


def test_bad_windows_and_unknown_campaigns_are_refused(client, make_code, staff):
    code = make_code()["code"]
    today = datetime.now(UTC).date()
    backwards = client.get(f"/v1/codes/{code}/stats?from={today}&to="
                           f"{today - timedelta(days=1)}", headers=staff)
    assert backwards.status_code == 422
    too_long = client.get(f"/v1/codes/{code}/stats?from={today - timedelta(days=400)}",
                          headers=staff)
    assert too_long.status_code == 422 and "366" in too_long.json()["detail"]
    assert client.get("/v1/campaigns/nothing-here/stats", headers=staff).status_code == 404
    assert client.get("/v1/campaigns/Not%20A%20Slug/stats", headers=staff).status_code == 422
