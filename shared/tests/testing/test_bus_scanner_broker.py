"""The bus scanner on a real broker: it finds a marker produced to a topic, and a
violation turns a whole pytest run red.

Mutations seen to fail here: the scan reading only up to the broker's reported end
offset (Tansu reports the last batch's base offset plus one: 1 message of 51 was read);
neither the session fixture nor the session-finish hook failing the run (the dirty run
exited 0; either alone turns it red); ``kafka_bootstrap`` not scanning its broker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from civic.kafka.broker import EmbeddedBroker
from civic_testing.bus_reading import SELF_TEST_PREFIX, scan_bus
from civic_testing.markers import marker

pytestmark = pytest.mark.broker


def test_the_scanner_finds_a_marker_produced_to_the_real_broker(kafka_bootstrap: str) -> None:
    topic = f"{SELF_TEST_PREFIX}{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="scanner-test")
    admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    try:
        producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, linger_ms=50)
        harmless = json.dumps({"case_id": str(uuid.uuid4()), "ward_code": "E05000128",
                               "at": "2026-11-26T15:00:00+00:00"}).encode()
        for _ in range(50):  # one batch: all but its first message lie past Tansu's end
            producer.send(topic, key=b"k", value=harmless, partition=0)
        producer.send(topic, key=b"k", partition=0,
                      value=json.dumps({"data": {"reason": marker("BUS")}}).encode(),
                      headers=[("note", b"ring 07700 900461")])
        producer.flush()
        producer.close()

        result = scan_bus(kafka_bootstrap, topics=[topic])

        assert result.messages == 51
        assert [(v.topic, v.partition, v.offset, v.where, v.rule)
                for v in result.violations] == [
            (topic, 0, 50, "value $.data.reason", "marker"),
            (topic, 0, 50, "header note", "uk-phone")]
        assert "900461" not in result.report()
    finally:
        admin.delete_topics([topic])  # the run's own scan skips it anyway
        admin.close()


INNER_TEST = '''
import json

from kafka import KafkaProducer


def test_publishes(kafka_bootstrap):
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    producer.send("cases.submitted", value=json.dumps({"text": VALUE}).encode())
    producer.flush()
    producer.close()
'''


def _run_pytest(tmp_path: Path, name: str, value: str,
                servers: str) -> subprocess.CompletedProcess[str]:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "conftest.py").write_text('pytest_plugins = ["civic_testing.plugin"]\n')
    (folder / "pytest.ini").write_text("[pytest]\n")
    (folder / f"test_{name}.py").write_text(
        f"VALUE = {value!r}\n" + textwrap.dedent(INNER_TEST))
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": servers}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(folder)], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=180)


@pytest.mark.slow
def test_a_violation_on_the_bus_fails_the_whole_run(tmp_path: Path) -> None:
    """Two runs of pytest against a broker of their own: the one whose test publishes
    a harmless value passes; the one whose test publishes a phone number fails, though
    its test passed, naming the topic, the rule and the test, but not the number."""
    with EmbeddedBroker() as broker:
        clean = _run_pytest(tmp_path, "clean", "a harmless value", broker.bootstrap_servers)
        assert clean.returncode == 0, clean.stdout[-3000:]

        dirty = _run_pytest(tmp_path, "dirty", "call 07700 900461",
                            broker.bootstrap_servers)
    assert dirty.returncode == 1, dirty.stdout[-3000:]
    assert "1 passed" in dirty.stdout
    assert "cases.submitted[" in dirty.stdout
    assert "value $.text: uk-phone" in dirty.stdout
    assert "produced during test_dirty.py::test_publishes" in dirty.stdout
    assert "900461" not in dirty.stdout
