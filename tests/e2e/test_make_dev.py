"""`make dev` as a newcomer uses it: `civic dev` brings up the broker and every service
with demo data and prints URLs; a case posted to the printed URL appears on
`civic tail cases.submitted` as a valid CloudEvent with no personal data in it; Ctrl-C
stops everything. Ports come from a plan written here, so a running `make dev` is
left alone."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from civic.kafka.broker import free_port

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


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM],
                         ids=["ctrl-c", "sigterm"])
def test_make_dev_runs_the_platform_and_a_posted_case_reaches_civic_tail(tmp_path,
                                                                         stop_signal):
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
    env = {**os.environ, "CIVIC_INFRA_DIR": str(ROOT / "infra"), "PYTHONUNBUFFERED": "1"}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)

    dev = subprocess.Popen([*CIVIC, "dev", "--plan", str(tmp_path / "dev.yaml")], cwd=tmp_path,
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    tail = None
    try:
        output = _read_until(dev, "Watch cases", timeout=120)
        text = "\n".join(output)
        assert f"127.0.0.1:{broker_port}" in text
        assert "seeded 25 demo cases" in text
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
    finally:
        if tail is not None:
            tail.terminate()
            tail.wait(10)
        dev.send_signal(stop_signal)
        rest, _ = dev.communicate(timeout=60)
    assert dev.returncode == 0, rest[-2000:]
    assert "stopped" in rest
    assert not any(_port_open(p) for p in (broker_port, *ports.values()))
