"""The embedded broker launcher and the `civic broker` / `civic topics apply` commands,
as real processes."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import pytest

from civic.kafka.broker import BrokerError, EmbeddedBroker, free_port

pytestmark = pytest.mark.broker


def _open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_it_starts_on_a_free_port_answers_kafka_and_stops_cleanly():
    broker = EmbeddedBroker().start()
    port = broker.port
    assert broker.running and _open(port)
    started = time.monotonic()
    broker.stop()
    assert time.monotonic() - started < 5
    assert not broker.running and not _open(port)


def test_a_taken_port_is_a_clear_error_not_a_silent_success():
    with EmbeddedBroker() as first, pytest.raises(BrokerError, match=f"port {first.port}"):
        EmbeddedBroker(port=first.port).start(timeout=5)


def test_civic_broker_and_topics_apply(tmp_path):
    port = free_port()
    broker = subprocess.Popen([sys.executable, "-m", "civic.cli", "broker", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 30
        while "embedded broker" not in line and time.monotonic() < deadline:
            line = broker.stdout.readline()  # type: ignore[union-attr]
        assert f"127.0.0.1:{port}" in line
        applied = subprocess.run([sys.executable, "-m", "civic.cli", "topics", "apply",
                                  "--bootstrap-servers", f"127.0.0.1:{port}"],
                                 capture_output=True, text=True, timeout=60)
        assert applied.returncode == 0, applied.stderr
        assert "created 0 topic(s): none needed" in applied.stdout  # `civic broker` made them
    finally:
        broker.send_signal(signal.SIGTERM)  # what process managers and `timeout` send
        broker.wait(15)
    assert broker.returncode == 0
    assert not _open(port)
