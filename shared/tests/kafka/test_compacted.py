"""civic.kafka.compacted on the real broker: every worker reads the whole topic with no
group, keeps up with new records, says when it is current, and skips what doesn't decode
without stopping. Mutation seen to fail: seeking to the end instead of the beginning
(a reader started after a change never saw it)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path

from kafka import KafkaProducer
from prometheus_client import REGISTRY

from civic.contracts import EventPayload, encode
from civic.contracts.qr import QrCodeChanged
from civic.kafka.compacted import CompactedReader

EXAMPLE = (Path(__file__).resolve().parents[2] / "contracts/examples"
           / "civic.qr.code_changed.v2/scheduled-switch.json")


def change(code_id: uuid.UUID, revision: int) -> QrCodeChanged:
    data = json.loads(EXAMPLE.read_text()) | {"code_id": str(code_id), "revision": revision}
    return QrCodeChanged.model_validate(data)


def skipped() -> float:
    return REGISTRY.get_sample_value("civic_compacted_records_skipped_total",
                                     {"topic": "qr.codes"}) or 0.0


def test_two_readers_each_see_everything_and_keep_up(kafka_bootstrap):
    code_id = uuid.uuid4()
    raw = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    for revision in (1, 2):
        record = encode(change(code_id, revision), source="/civic/test")
        raw.send("qr.codes", key=record.key, value=record.value, headers=record.headers)
    raw.send("qr.codes", key=str(code_id).encode(), value=b"garbage", headers=[])
    raw.flush()
    before = skipped()
    seen: list[list[int]] = [[], []]
    synced = [threading.Event(), threading.Event()]
    readers = []
    for i in range(2):
        def on_event(payload: EventPayload, i: int = i) -> None:
            if isinstance(payload, QrCodeChanged) and payload.code_id == code_id:
                seen[i].append(payload.revision)
        reader = CompactedReader(kafka_bootstrap, "qr.codes", client_id=f"test-{i}",
                                 on_event=on_event, on_synced=synced[i].set)
        reader.start()
        readers.append(reader)
    try:
        for i in range(2):
            assert synced[i].wait(30), "reader never caught up"
            assert seen[i] == [1, 2]
        record = encode(change(code_id, 3), source="/civic/test")
        raw.send("qr.codes", key=record.key, value=record.value, headers=record.headers)
        raw.flush()
        deadline = time.monotonic() + 5
        while any(3 not in s for s in seen) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert seen == [[1, 2, 3], [1, 2, 3]]
        assert skipped() >= before + 2  # each reader skipped the garbage once
    finally:
        for reader in readers:
            reader.stop()
        raw.close()
