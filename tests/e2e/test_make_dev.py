"""`make dev` as a newcomer uses it: `civic dev` brings up the broker and every service
with demo data and prints URLs; a case posted to the printed URL appears on
`civic tail cases.submitted` as a valid CloudEvent with no personal data in it; the
heat map shows the demo cases (ward figures, and a mix of small-area figures and
withheld ones); a second `make dev` adds no demo cases and shows them again; Ctrl-C
stops everything. Ports come from a plan written here, so a running `make dev` is
left alone."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from civic.kafka.broker import free_port
from civic_testing import assert_bus_clean

pytestmark = [pytest.mark.broker, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
CIVIC = [sys.executable, "-m", "civic.cli"]


def _read_until(process: subprocess.Popen[str], marker: str, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            if process.poll() is not None:
                break
            continue
        lines.append(line.rstrip())
        if marker in line:
            return lines
    raise AssertionError(f"never saw {marker!r}; output:\n" + "\n".join(lines[-40:]))


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


SEED_BROKER = "CIVIC_DEV_BROKER"  # what civic dev tells a seed about its broker
SEEDED = re.compile(r"seeded (\d+) demo cases in ([\d.]+) s \((\d+) already there")


def _seeded(text: str) -> tuple[int, float, int]:
    """(cases filed, seconds, cases already there), from the seed's line."""
    found = SEEDED.search(text)
    assert found, text[-3000:]
    return int(found.group(1)), float(found.group(2)), int(found.group(3))


def _demo_map(scoring: str, timeout_s: float = 90) -> dict[str, list[int | None]]:
    """Open cases per ward and per small area over 28 days (the map's default), once
    the published figures show the demo: some ward, and some small areas, not withheld."""
    deadline = time.monotonic() + timeout_s
    shown: dict[str, list[int | None]] = {}
    while time.monotonic() < deadline:
        for level in ("ward", "lsoa"):
            answer = httpx.get(f"{scoring}/v1/areas/need", params={"level": level,
                                                                  "window": "28d"})
            if answer.status_code == 200:
                shown[level] = [f["properties"]["open_cases"]
                                for f in answer.json()["features"]]
        if all(any(n is not None for n in shown.get(level, [])) for level in ("ward", "lsoa")):
            return shown
        time.sleep(1)
    raise AssertionError(f"the demo never showed on the map: {shown}")


def _plan(tmp_path: Path) -> tuple[int, dict[str, int]]:
    """A dev plan on free ports, written to tmp_path/dev.yaml."""
    broker_port = free_port()
    plan = yaml.safe_load((ROOT / "infra/dev.yaml").read_text())
    plan["broker_port"] = broker_port
    ports = {}
    for service in plan["services"]:
        service["port"] = ports[service["name"]] = free_port()
        service["command"] = [sys.executable if c == "python" else c for c in service["command"]]
        if service.get("seed"):
            service["seed"] = [sys.executable if c == "python" else c for c in service["seed"]]
    (tmp_path / "dev.yaml").write_text(yaml.safe_dump(plan))
    return broker_port, ports


def _env() -> dict[str, str]:
    env = {**os.environ, "CIVIC_INFRA_DIR": str(ROOT / "infra"), "PYTHONUNBUFFERED": "1"}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    env.pop("CIVIC_ENV", None)  # make dev is development
    return env


def _civic_dev(tmp_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*CIVIC, "dev", "--plan", str(tmp_path / "dev.yaml")],
                            cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _stop(dev: subprocess.Popen[str], stop_signal: int = signal.SIGINT) -> str:
    dev.send_signal(stop_signal)
    rest, _ = dev.communicate(timeout=60)
    assert dev.returncode == 0, rest[-2000:]
    assert "stopped" in rest
    return rest


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM],
                         ids=["ctrl-c", "sigterm"])
def test_make_dev_runs_the_platform_and_a_posted_case_reaches_civic_tail(tmp_path,
                                                                         stop_signal):
    broker_port, ports = _plan(tmp_path)
    env = _env()
    dev = _civic_dev(tmp_path)
    tail = None
    try:
        output = _read_until(dev, "Watch cases", timeout=120)
        text = "\n".join(output)
        assert f"127.0.0.1:{broker_port}" in text
        filed, seconds, there = _seeded(text)
        assert (filed, there) == (800, 0) and seconds < 10
        form_url = re.search(r"case_intake Resident form\s+(\S+)", text).group(1)  # type: ignore[union-attr]
        docs_url = re.search(r"case_intake API docs\s+(\S+)", text).group(1)  # type: ignore[union-attr]
        staff_key = re.search(r"staff\.demo=(\S+?),", text).group(1)  # type: ignore[union-attr]
        assert httpx.get(form_url).status_code == 200
        assert httpx.get(docs_url).status_code == 200
        base = docs_url.removesuffix("/docs")

        tail = subprocess.Popen([*CIVIC, "tail", "cases.submitted", "--bootstrap-servers",
                                 f"127.0.0.1:{broker_port}", "--compact", "--timeout", "60"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        time.sleep(3)  # let the tail join before the case is posted
        body = {
            "channel": "phone", "categories": ["food"], "urgency": "today",
            "household": {"people": 1, "children": 0, "lives_alone": True,
                          "disability_or_long_term_condition": False,
                          "no_internet_access": True},
            "contact": {"name": "Newcomer Testperson", "phone": "07700 900321",
                        "email": "newcomer@example.org"},
            "location": {"postcode": "NW1 0AA"},
            "consent": {"lawful_basis": "public_task", "share_with_partners": True,
                        "terms_version": "2026-10"},
            "details": "Needs a food parcel before Friday.",
        }
        created = httpx.post(f"{base}/v1/cases", json=body,
                             headers={"Authorization": f"Bearer {staff_key}"})
        assert created.status_code == 201, created.text
        case_id = created.json()["id"]

        found = None
        deadline = time.monotonic() + 45
        while found is None and time.monotonic() < deadline:
            line = tail.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            event = json.loads(line)
            if event.get("valid") and event["data"]["case_id"] == case_id:
                found = event
        assert found is not None, "the posted case never appeared in civic tail"
        assert found["cloudevent"]["type"] == "civic.case.submitted.v1"
        assert found["data"]["location"]["lsoa_code"] == "E01000947"
        raw = json.dumps(found)
        for personal in ("Newcomer", "Testperson", "900321", "newcomer@example.org",
                         "food parcel", "NW1 0AA"):
            assert personal not in raw

        # Need scoring scores the posted case, and its printed heat map answers.
        map_url = re.search(r"need_scoring Heat map\s+(\S+)", text).group(1)  # type: ignore[union-attr]
        scoring = map_url.removesuffix("/map")
        deadline = time.monotonic() + 45
        score = httpx.get(f"{scoring}/v1/cases/{case_id}/score",
                          headers={"Authorization": f"Bearer {staff_key}"})
        while score.status_code == 404 and time.monotonic() < deadline:
            time.sleep(0.5)
            score = httpx.get(f"{scoring}/v1/cases/{case_id}/score",
                              headers={"Authorization": f"Bearer {staff_key}"})
        assert score.status_code == 200, score.text
        assert sum(c["points"] for c in score.json()["contributions"]) == score.json()["score"]
        assert httpx.get(map_url).status_code == 200
        shown = _demo_map(scoring)
        assert None in shown["lsoa"], "small areas: a mix of figures and withheld ones"
        assert any(n is not None for n in shown["ward"])
        # QR events: the printed demo link lands on this run's form, attributed, and the
        # demo posters are on disk for a phone to scan from the screen.
        short_link = re.search(r"qr_events Demo short link \(to the form\)\s+(\S+)",
                               text).group(1)  # type: ignore[union-attr]
        landed = httpx.get(short_link, follow_redirects=False)
        assert landed.status_code == 302, landed.text
        assert landed.headers["location"] == form_url + "?source=qr-camdenw"
        assert httpx.get(landed.headers["location"]).status_code == 200
        assert (tmp_path / "var/demo-posters/poster-CAMDENW.pdf").read_bytes()[:5] == b"%PDF-"
        # Partner notifications: the demo partner is registered under the dev partner key.
        record_url = re.search(r"partner_notifications Demo partner's record\s+(\S+)",
                               text).group(1)  # type: ignore[union-attr]
        record = httpx.get(record_url, headers={"Authorization": "Bearer civic_dev_partner_key"})
        assert record.status_code == 200 and record.json()["id"] == "partner.demo-foodbank"
        # and the posted case, once scored, reached the demo partner's receiver, signed
        received_url = re.search(r"demo_partner Webhooks received\s+(\S+)",
                                 text).group(1)  # type: ignore[union-attr]
        deadline = time.monotonic() + 60
        status = httpx.get(received_url).text
        while "received: 0 " in status and time.monotonic() < deadline:
            time.sleep(0.5)
            status = httpx.get(received_url).text
        assert "received: 0 " not in status and "rejected: 0" in status, status
        # Case intake keeps the case's score from cases.scored, and the printed staff
        # queue, signed into with the printed staff key, answers with the queue.
        deadline = time.monotonic() + 45
        while _read_model_band(tmp_path, case_id) is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _read_model_band(tmp_path, case_id) == score.json()["band"]
        queue_url = re.search(r"case_intake Staff queue \(key civic_dev_staff_key\)\s+(\S+)",
                              text).group(1)  # type: ignore[union-attr]
        with httpx.Client() as staff:
            sign_in = queue_url.replace("/staff/queue", "/staff/sign-in")
            token = re.search(r'name="csrf_token" value="([^"]+)"',  # type: ignore[union-attr]
                              staff.get(sign_in).text).group(1)
            assert staff.post(sign_in, data={"api_key": staff_key, "csrf_token": token}
                              ).status_code == 303
            queue = staff.get(queue_url)
            assert queue.status_code == 200 and "Open cases by need" in queue.text
            assert queue.text.count('class="queue__reference"') == 50, "a full first page"
            # The case page sends a band override to the running need scoring, which
            # records it as the signed-in member of staff's (make dev's relay wiring).
            case_page = f"{base}/staff/cases/{case_id}"
            token = re.search(r'name="csrf_token" value="([^"]+)"',  # type: ignore[union-attr]
                              staff.get(case_page).text).group(1)
            band = "low" if score.json()["band"] != "low" else "high"
            sent = staff.post(f"{case_page}/band", data={
                "csrf_token": token, "band": band,
                "override_reason": "Checked by phone: neighbours are helping."},
                follow_redirects=True)
            assert sent.status_code == 200 and "recorded your band override" in sent.text, \
                sent.text[-2000:]
        decisions = httpx.get(f"{scoring}/v1/cases/{case_id}/band-overrides",
                              headers={"Authorization": f"Bearer {staff_key}"}).json()
        assert [(d["band"], d["overridden_by"]) for d in decisions] == [(band, "staff.demo")]
        # The printed partner board, signed into with the printed partner key, has demo
        # cases to claim (the seed triages every third) and no personal data.
        board_url = re.search(r"case_intake Partner board \(key civic_dev_partner_key\)"
                              r"\s+(\S+)", text).group(1)  # type: ignore[union-attr]
        with httpx.Client() as partner:
            sign_in = board_url.replace("/partner/board", "/partner/sign-in")
            token = re.search(r'name="csrf_token" value="([^"]+)"',  # type: ignore[union-attr]
                              partner.get(sign_in).text).group(1)
            assert partner.post(sign_in, data={"api_key": "civic_dev_partner_key",
                                               "csrf_token": token}).status_code == 303
            board = partner.get(board_url)
            assert board.status_code == 200 and "Cases you can claim" in board.text
            assert board.text.count('class="board__reference"') == 50, "a full first page"
            assert "Demo Resident" not in board.text
        # The dev broker is not the run's: scan it (changelogs too) before it stops.
        assert_bus_clean(f"127.0.0.1:{broker_port}")
    finally:
        if tail is not None:
            tail.terminate()
            tail.wait(10)
        _stop(dev, stop_signal)
    assert not any(_port_open(p) for p in (broker_port, *ports.values()))


def _read_model_band(folder: Path, case_id: str) -> str | None:
    with sqlite3.connect(folder / "var" / "case_intake.db") as db:
        row = db.execute("SELECT band FROM case_scores WHERE case_id = ?", (case_id,)).fetchone()
    return row[0] if row else None


def test_a_second_make_dev_adds_no_demo_cases_and_shows_them_again(tmp_path: Path) -> None:
    """The same working folder twice, as a newcomer restarting: the demo cases are in
    case intake's database from the first run; the embedded broker starts empty, so the
    seed puts the open ones back on the bus rather than filing more. Seen to fail when
    seed() filed the whole plan on every run (1,600 demo cases after the second)."""
    _, ports = _plan(tmp_path)
    scoring = f"http://127.0.0.1:{ports['need_scoring']}"
    for run in (1, 2):
        dev = _civic_dev(tmp_path)
        try:
            text = "\n".join(_read_until(dev, "Watch cases", timeout=120))
            assert _seeded(text)[::2] == ((800, 0) if run == 1 else (0, 800)), text[-2000:]
            if run == 2:
                assert "800 open ones announced again" in text
            _demo_map(scoring)
        finally:
            _stop(dev)
    with sqlite3.connect(tmp_path / "var" / "case_intake.db") as db:
        assert db.execute("SELECT count(*) FROM cases").fetchone() == (800,)


def test_the_demo_seed_is_quick_marked_and_refused_outside_development(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    """Seen to fail when seed() refused only in production (CIVIC_ENV=test seeded)."""
    from case_intake.database import schema
    from case_intake.seed import seed
    from case_intake.settings import Settings
    from civic.db import ServiceDatabase
    from civic.reference import geography

    url = f"sqlite:///{tmp_path}/intake.db"
    database = ServiceDatabase(schema(), url)
    database.migrate()
    monkeypatch.delenv(SEED_BROKER, raising=False)
    assert seed(Settings(database_url=url, environment="test"), database.engine, 800) == 1
    assert "refusing to seed demo data outside development" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "intake.db") as db:
        assert db.execute("SELECT count(*) FROM cases").fetchone() == (0,)

    started = time.monotonic()
    assert seed(Settings(database_url=url), database.engine, 800) == 0
    assert time.monotonic() - started < 10, "batch inserts: seconds, not minutes"
    monkeypatch.setenv(SEED_BROKER, "embedded")  # a restarted make dev
    assert seed(Settings(database_url=url), database.engine, 800) == 0
    assert _seeded(capsys.readouterr().out.splitlines()[-1])[::2] == (0, 800)
    postcodes = geography().postcodes
    with sqlite3.connect(tmp_path / "intake.db") as db:
        marks = db.execute("SELECT channel, source, created_by, count(*), "
                           "count(DISTINCT ward_code), count(DISTINCT lsoa_code), "
                           "count(DISTINCT urgency) FROM cases GROUP BY 1, 2, 3").fetchall()
        assert marks == [("import", "demo-seed", "staff.demo", 800, 18, marks[0][5], 3)]
        assert marks[0][5] > 100, "spread over the borough's small areas"
        people = db.execute("SELECT name, phone, email, date_of_birth, postcode "
                            "FROM case_personal").fetchall()
        assert {(phone, email, born) for _, phone, email, born, _ in people} == {
            (None, None, None)}
        assert all(re.fullmatch(r"Demo Resident \d{4}", name) for name, *_ in people)
        assert all(postcode in postcodes for *_, postcode in people), "real postcodes"
        # Every third case triaged, as the duty desk would, so the partner board has work.
        statuses = dict(db.execute("SELECT status, count(*) FROM cases GROUP BY 1"))
        assert statuses == {"triaged": 267, "submitted": 533}
        # 800 first submissions and 267 triages, then each open one again for the fresh
        # broker.
        assert db.execute("SELECT count(*) FROM outbox").fetchone() == (800 + 267 + 800,)
