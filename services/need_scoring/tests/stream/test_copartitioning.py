"""A case's row in the table lands in the partition its events arrive on, so a worker
holds the rows of exactly the cases it is given (``stream/case_table.py``): the
producers' partitioners agree, the running service writes each row to its case's
partition on the real broker, and inputs partitioned unequally stop the service."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from aiokafka.partitioner import DefaultPartitioner
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.partitioner import murmur2

from civic.contracts.envelope import encode
from civic.kafka.producer import EventProducer
from civic_testing import LiveServer
from need_scoring.stream.partitions import NotCopartitioned, copartitioned

from ..conftest import make_case


def test_the_intake_producer_and_the_faust_producer_partition_a_case_alike() -> None:
    """kafka-python (case intake's relay, EventProducer) and aiokafka (faust, which
    writes the table and the override commands) hash a key the same way."""
    faust_side = DefaultPartitioner()
    for _ in range(2000):
        key = str(uuid.uuid4()).encode()
        intake_side = (murmur2(key) & 0x7FFFFFFF) % 6
        assert faust_side(key, list(range(6)), list(range(6))) == intake_side


def partitions_of(kafka: str, topic: str, keys: set[str], timeout_s: float = 30
                  ) -> dict[str, int]:
    consumer = KafkaConsumer(topic, bootstrap_servers=kafka, auto_offset_reset="earliest",
                             consumer_timeout_ms=500)
    found: dict[str, int] = {}
    deadline = time.monotonic() + timeout_s
    try:
        while len(found) < len(keys) and time.monotonic() < deadline:
            for record in consumer:
                key = (record.key or b"").decode()
                if key in keys:
                    found[key] = record.partition
    finally:
        consumer.close()
    return found


@pytest.mark.broker
@pytest.mark.slow
def test_each_case_s_row_is_written_to_its_events_partition(
        kafka_bootstrap: str, policy_file: Callable[..., Path],
        scoring_service: Callable[..., LiveServer]) -> None:
    """Seen to fail with the table keyed by text (faust's JSON key hashes differently)."""
    server = scoring_service(policy_file())
    group = server.app.state.container.stream.group_id
    cases = [make_case() for _ in range(24)]
    producer = EventProducer(kafka_bootstrap, client_id="test-copartitioning")
    assert all(producer.send_all([encode(c, source="urn:test") for c in cases]))
    producer.close()
    ids = {str(c.case_id) for c in cases}
    arrived = partitions_of(kafka_bootstrap, "cases.submitted", ids)
    kept = partitions_of(kafka_bootstrap, f"{group}-cases-changelog", ids)
    assert len(set(arrived.values())) > 1, "the cases spread over several partitions"
    assert kept == arrived


@pytest.mark.broker
def test_inputs_partitioned_unequally_stop_the_service(kafka_bootstrap: str) -> None:
    six, three = f"t-six-{uuid.uuid4().hex[:6]}", f"t-three-{uuid.uuid4().hex[:6]}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.create_topics([NewTopic(six, 6, 1), NewTopic(three, 3, 1)])
    admin.close()
    assert copartitioned(kafka_bootstrap, (six, six)) == 6
    with pytest.raises(NotCopartitioned, match=rf"{six}: 6, {three}: 3"):
        copartitioned(kafka_bootstrap, (six, three))
    with pytest.raises(NotCopartitioned, match="absent: 0"):
        copartitioned(kafka_bootstrap, (six, "absent"))
