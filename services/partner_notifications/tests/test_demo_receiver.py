"""The demo partner receiver, over real HTTP, with webhooks signed by our own signer: the
receiver shares nothing with the sender but the ``standardwebhooks`` library, so what
verifies here verifies for a partner whose receiver is modelled on it.

Mutations seen to fail, each made alone and then undone:
- verification skipped (``Receiver.verify`` returns None): the wrong-secret,
  tampered-body, stale-timestamp, forged-id, rotation and malformed-header tests;
- deduplication skipped (``remember`` always True): the duplicate and status tests;
- deduplication before verification: the forged-id test;
- ``ValueError`` not caught: the malformed-header tests (500, not 400);
- only the first of several secrets tried: the rotation and CLI-serving tests;
- the seen ids unbounded (no ``popitem``): the bounded test;
- no check for a missing secret: the CLI-refusal tests (it serves until killed);
- a secret decoded leniently, as the library does: the CLI-refusal test;
- no ``flush`` on each line: the CLI-serving test (it waits for a line that never comes);
- the data summary not truncated, or control characters not replaced: their tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from civic.kafka.broker import free_port
from civic_testing import LiveServer
from partner_notifications.demo_receiver import ENV_SECRET, Receiver, create_app
from partner_notifications.sending.signing import new_secret, signed_headers

BODY = json.dumps({"type": "case.scored", "timestamp": "2026-11-26T10:00:00Z",
                   "data": {"ward": "E05000139", "category": "food"}}, separators=(",", ":"))
SECRET = new_secret()


def post(url: str, body: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{url}/webhooks", content=body.encode(), timeout=10,
                      headers={**headers, "content-type": "application/json"})


def send(url: str, message_id: str, body: str = BODY, secrets: list[str] | None = None,
         at: datetime | None = None) -> httpx.Response:
    headers = signed_headers(message_id, body, secrets or [SECRET], at or datetime.now(UTC))
    return post(url, body, headers)


@dataclass
class Demo:
    url: str
    lines: list[str]
    receiver: Receiver

    def post(self, body: str, headers: dict[str, str]) -> httpx.Response:
        return post(self.url, body, headers)

    def send(self, message_id: str, body: str = BODY, secrets: list[str] | None = None,
             at: datetime | None = None) -> httpx.Response:
        return send(self.url, message_id, body, secrets, at)


@contextmanager
def running(secrets: list[str], seen_limit: int = 10_000) -> Iterator[Demo]:
    lines: list[str] = []
    app = create_app(secrets, out=lines.append, seen_limit=seen_limit)
    with LiveServer(app) as server:
        yield Demo(server.url, lines, app.state.receiver)


@pytest.fixture
def demo() -> Iterator[Demo]:
    with running([SECRET]) as demo:
        yield demo


def new_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def test_a_verified_webhook_is_answered_204_and_printed(demo: Demo) -> None:
    message_id = new_id()
    response = demo.send(message_id)
    assert response.status_code == 204
    assert demo.lines == [
        f'webhook case.scored {message_id} {{"ward":"E05000139","category":"food"}}']


def test_a_long_payload_is_summarised_not_dumped(demo: Demo) -> None:
    body = json.dumps({"type": "case.scored", "data": {"notes": "x" * 5000}})
    assert demo.send(new_id(), body).status_code == 204
    assert len(demo.lines) == 1 and len(demo.lines[0]) < 400


def test_a_payload_cannot_forge_log_lines(demo: Demo) -> None:
    body = json.dumps({"type": "case.scored\nREJECTED fake\x1b[2J", "data": {}})
    assert demo.send(new_id(), body).status_code == 204
    assert len(demo.lines) == 1 and "\n" not in demo.lines[0] and "\x1b" not in demo.lines[0]


def test_a_wrong_secret_is_rejected(demo: Demo) -> None:
    response = demo.send(new_id(), secrets=[new_secret()])
    assert response.status_code == 400
    assert demo.lines == ["REJECTED No matching signature found"]


def test_a_tampered_body_is_rejected(demo: Demo) -> None:
    headers = signed_headers(new_id(), BODY, [SECRET], datetime.now(UTC))
    response = demo.post(BODY.replace("E05000139", "E05000128"), headers)
    assert response.status_code == 400
    assert demo.lines == ["REJECTED No matching signature found"]


def test_a_stale_timestamp_is_rejected(demo: Demo) -> None:
    response = demo.send(new_id(), at=datetime.now(UTC) - timedelta(minutes=6))
    assert response.status_code == 400
    assert demo.lines == ["REJECTED Message timestamp too old"]


def test_a_repeated_id_is_answered_204_as_a_duplicate(demo: Demo) -> None:
    message_id = new_id()
    assert demo.send(message_id).status_code == 204
    # A retry: the same id and body, a new timestamp and so a new signature.
    assert demo.send(message_id, at=datetime.now(UTC) + timedelta(seconds=1)).status_code == 204
    assert demo.lines[1:] == [f"duplicate {message_id}"]
    assert demo.receiver.received == 1 and demo.receiver.duplicates == 1


def test_a_forged_request_does_not_mark_its_id_seen(demo: Demo) -> None:
    message_id = new_id()
    assert demo.send(message_id, secrets=[new_secret()]).status_code == 400
    assert demo.send(message_id).status_code == 204
    assert demo.lines[1].startswith(f"webhook case.scored {message_id} ")


def test_during_a_rotation_a_webhook_signed_by_the_new_secret_verifies() -> None:
    old, new = new_secret(), new_secret()
    with running([old, new]) as demo:
        assert demo.send(new_id(), secrets=[new]).status_code == 204
        assert demo.send(new_id(), secrets=[old]).status_code == 204
        assert demo.send(new_id(), secrets=[new_secret()]).status_code == 400
        assert [line.split(" ")[0] for line in demo.lines] == ["webhook", "webhook", "REJECTED"]


@pytest.mark.parametrize("signature", ["garbage", "v1,not base64!", "v1,a,b", "v1"])
def test_a_malformed_signature_header_is_400_not_500(demo: Demo, signature: str) -> None:
    headers = {**signed_headers(new_id(), BODY, [SECRET], datetime.now(UTC)),
               "webhook-signature": signature}
    response = demo.post(BODY, headers)
    assert response.status_code == 400
    assert demo.lines[0].startswith("REJECTED malformed webhook-signature header")


def test_missing_headers_are_rejected(demo: Demo) -> None:
    response = demo.post(BODY, {})
    assert response.status_code == 400
    assert demo.lines == ["REJECTED Missing required headers"]


def test_the_seen_ids_are_bounded() -> None:
    with running([SECRET], seen_limit=2) as demo:
        first, second, third = new_id(), new_id(), new_id()
        for message_id in (first, second, third):
            assert demo.send(message_id).status_code == 204
        assert list(demo.receiver.seen) == [second, third]
        demo.send(first)  # forgotten, so taken as new: the price of bounded memory
        assert demo.receiver.received == 4


def test_the_status_page_and_health_check(demo: Demo) -> None:
    message_id = new_id()
    demo.send(message_id)
    demo.send(message_id)
    demo.send(new_id(), secrets=[new_secret()])
    status = httpx.get(demo.url + "/", timeout=10)
    assert status.status_code == 200 and status.headers["content-type"].startswith("text/plain")
    assert "received: 1 " in status.text
    assert "rejected: 1\n" in status.text and "duplicates: 1\n" in status.text
    assert httpx.get(demo.url + "/healthz", timeout=10).status_code == 200


def without_secret_env() -> dict[str, str]:
    # PYTHONUNBUFFERED is dropped too: whatever starts the receiver may not set it, so it must
    # flush each line itself for the line to be seen as it arrives.
    return {key: value for key, value in os.environ.items()
            if key not in (ENV_SECRET, "PYTHONUNBUFFERED")}


@pytest.mark.parametrize("args,expected", [
    ([], ENV_SECRET), (["--secret", " , "], ENV_SECRET),
    # The library would decode this leniently, dropping the "*", and so never verify.
    (["--secret", "whsec_abcd*efgh"], "standard base64")])
def test_the_cli_refuses_to_start_without_a_usable_secret(args: list[str],
                                                            expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "partner_notifications.demo_receiver", "--port", str(free_port()),
         *args],
        env=without_secret_env(), capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert expected in result.stderr and "--secret" in result.stderr


@pytest.mark.timeout(60)
def test_the_cli_serves_and_prints_each_webhook_as_it_arrives() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "partner_notifications.demo_receiver", "--port", str(port)],
        env={**without_secret_env(), ENV_SECRET: f"{new_secret()},{SECRET}"},
        stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert "secret(s)" in process.stdout.readline()  # the banner, printed before serving
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        message_id = new_id()
        assert send(url, message_id).status_code == 204
        # Read while the process still runs: stdout is a pipe, and the line must not wait in
        # a buffer until exit.
        assert process.stdout.readline().startswith(f"webhook case.scored {message_id} ")
    finally:
        process.terminate()
        process.wait(10)
