"""Need scoring on the embedded broker, one worker process, each figure next to a
baseline from the same run:

- throughput: cases scored per second from a backlog on cases.submitted, against a raw
  kafka-python consume of the same topic;
- replay: the time to rescore every case under a new policy version (a new consumer
  group, from the oldest case);
- latency: p50 and p99 from each case event's time to its scored event's timestamp, at a
  steady 200 cases/s.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from statistics import quantiles
from typing import Any

from kafka import KafkaConsumer

from civic.contracts.cases import CaseSubmitted
from civic.contracts.envelope import KafkaRecord, decode, encode
from civic.kafka.broker import EmbeddedBroker
from civic.kafka.producer import EventProducer
from civic.kafka.topics import TopicRegistry
from civic.reference import geography
from need_scoring.metrics import ScoringMetrics
from need_scoring.policy import load_policy
from need_scoring.settings import POLICIES, Settings
from need_scoring.stream.faust_app import NeedStream
from need_scoring.stream.processor import CaseProcessor
from need_scoring.stream.transport import app_with_fetch_wait

CASES = int(os.environ.get("BENCH_SCORING_CASES", "100000"))
LATENCY_RATE = 200
LATENCY_SECONDS = int(os.environ.get("BENCH_SCORING_LATENCY_SECONDS", "15"))
CATEGORIES = ["food", "medicine", "isolation_support", "social_care", "housing", "money",
              "digital_access", "loneliness", "other"]


def case_records(count: int, seed: int = 11) -> list[KafkaRecord]:
    rng = random.Random(seed)
    areas = list(geography().areas.values())
    records = []
    for _ in range(count):
        area = rng.choice(areas)
        people = rng.randint(1, 5)
        case = CaseSubmitted.model_validate({
            "case_id": uuid.uuid4(), "submitted_at": datetime.now(UTC),
            "channel": rng.choice(["web", "phone", "partner", "qr"]),
            "categories": rng.sample(CATEGORIES, rng.randint(1, 3)),
            "urgency": rng.choice(["today", "this_week", "can_wait"]),
            "household": {"people": people, "children": rng.randint(0, people - 1),
                          "lives_alone": people == 1,
                          "disability_or_long_term_condition": rng.random() < 0.3,
                          "no_internet_access": rng.random() < 0.2},
            "location": {"ward_code": area.ward_code, "lsoa_code": area.code,
                         "resolved": True},
            "resident_key": None, "previous_contacts_12m": rng.randint(0, 5),
            "consent": {"lawful_basis": "public_task", "share_with_partners": True,
                        "terms_version": "2026-10"}})
        records.append(encode(case, source="/bench"))
    return records


def raw_consume(servers: str, count: int) -> float:
    consumer = KafkaConsumer("cases.submitted", bootstrap_servers=servers,
                             group_id=f"bench-raw-{uuid.uuid4().hex[:6]}",
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             max_poll_records=1000, session_timeout_ms=2000,
                             heartbeat_interval_ms=500)
    got, start = 0, None
    while got < count:
        batch = consumer.poll(timeout_ms=500)
        if batch and start is None:
            start = time.perf_counter()
        got += sum(len(records) for records in batch.values())
    seconds = time.perf_counter() - start  # type: ignore[operator]
    consumer.close()
    return seconds


async def faust_pass_through(servers: str, count: int, data_dir: Path) -> float:
    """The framework's own ceiling here: a faust agent that forwards each case, raw,
    to another topic, in the same batches, with no table and no scoring."""
    app = app_with_fetch_wait(100, "bench-pass-through", broker=f"kafka://{servers}",
                              store="memory://", web_enabled=False, autodiscover=False,
                              topic_disable_leader=True, consumer_auto_offset_reset="earliest",
                              datadir=str(data_dir), producer_acks=-1, producer_linger=0.005,
                              producer_max_batch_size=256 * 1024, broker_max_poll_records=1000,
                              broker_rebalance_timeout=4, broker_session_timeout=2,
                              broker_heartbeat_interval=0.5)
    raw = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw",
           "value_serializer": "raw"}
    source, sink = app.topic("cases.submitted", **raw), app.topic("bench.forwarded", **raw)
    seen = {"n": 0, "start": 0.0, "end": 0.0}

    async def forward(stream: Any) -> None:
        async for events in stream.take_events(1000, within=0.05):
            if not seen["start"]:
                seen["start"] = time.perf_counter()
            acks = [await sink.send(key=e.key, value=e.value, headers=e.message.headers)
                    for e in events]
            await asyncio.gather(*acks)
            seen["n"] += len(events)
            if seen["n"] >= count and not seen["end"]:
                seen["end"] = time.perf_counter()

    app.agent(source, name="forward")(forward)
    await app.start()
    while not seen["end"]:
        await asyncio.sleep(0.01)
    await app.stop()
    return seen["end"] - seen["start"]


def policy_version(folder: Path, version: str) -> Path:
    path = folder / f"{version}.yaml"
    path.write_text((POLICIES / "need-2026.11.yaml").read_text()
                    .replace("version: need-2026.11", f"version: {version}"))
    return path


async def score_backlog(stream: NeedStream, count: int,
                        then: Any = None) -> tuple[float, Any]:
    """Seconds from the first case scored to the last, and what `then` returns."""
    await stream.start()
    while stream.scored_total == 0:
        await asyncio.sleep(0.005)
    start, cpu = time.perf_counter(), time.process_time()
    while stream.scored_total < count:
        await asyncio.sleep(0.005)
    seconds = time.perf_counter() - start
    stream.bench_cpu_share = (time.process_time() - cpu) / seconds  # type: ignore[attr-defined]
    extra = await then(stream) if then else None
    await stream.stop()
    return seconds, extra


async def steady_latency(stream: NeedStream, servers: str) -> list[float]:
    producer = EventProducer(servers, client_id="bench-latency")
    sent_at: dict[str, float] = {}  # case id -> the case event's time
    interval = 1 / LATENCY_RATE
    loop = asyncio.get_running_loop()
    payloads = [decode(r.headers, r.value, r.key).payload
                for r in case_records(LATENCY_RATE * LATENCY_SECONDS, seed=99)]
    begin = time.perf_counter()
    for i, payload in enumerate(payloads):
        now = datetime.now(UTC)  # the event's time is when it is sent
        record = encode(payload, source="/bench", time=now)
        await loop.run_in_executor(None, producer.send, record)
        sent_at[record.key.decode()] = now.timestamp()
        delay = begin + (i + 1) * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    await loop.run_in_executor(None, producer.flush)
    producer.close()
    await asyncio.sleep(2)
    return await loop.run_in_executor(None, _latencies, servers, sent_at)


def _latencies(servers: str, sent_at: dict[str, float]) -> list[float]:
    """The scored event's timestamp minus its case event's time, per case."""
    consumer = KafkaConsumer("cases.scored", bootstrap_servers=servers,
                             auto_offset_reset="earliest", consumer_timeout_ms=3000,
                             max_poll_records=5000)
    latencies = []
    for record in consumer:
        key = record.key.decode() if record.key else ""
        if key in sent_at:
            latencies.append(record.timestamp / 1000 - sent_at.pop(key))
    consumer.close()
    return latencies


def run() -> dict[str, Any]:
    records = case_records(CASES)
    results: dict[str, Any] = {"cases": CASES}
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        servers = broker.bootstrap_servers
        TopicRegistry.load().apply(servers)
        producer = EventProducer(servers, client_id="bench-load")
        assert all(producer.send_all(records, timeout=300))
        producer.close()

        raw_seconds = raw_consume(servers, CASES)
        results["raw"] = {"seconds": raw_seconds, "cases_per_s": CASES / raw_seconds}
        forward_seconds = asyncio.run(faust_pass_through(servers, CASES, Path(tmp) / "pt"))
        results["faust_pass_through"] = {"seconds": forward_seconds,
                                         "cases_per_s": CASES / forward_seconds}

        def stream_for(version: str) -> NeedStream:
            settings = Settings(kafka_bootstrap_servers=servers, apply_topics=False,
                                policy_file=policy_version(Path(tmp), version),
                                data_dir=Path(tmp) / version)
            policy = load_policy(settings.policy_file)
            return NeedStream(settings, policy, CaseProcessor(policy, geography()), servers,
                              ScoringMetrics.create(), partitions=6)

        first = stream_for("need-bench-a")
        seconds, _ = asyncio.run(score_backlog(first, CASES))
        results["scoring"] = {"seconds": seconds, "cases_per_s": CASES / seconds,
                              "ratio": raw_seconds / seconds,
                              "cpu_share": first.bench_cpu_share}  # type: ignore[attr-defined]

        async def latency(stream: NeedStream) -> list[float]:
            return await steady_latency(stream, servers)

        seconds, lat = asyncio.run(score_backlog(stream_for("need-bench-b"), CASES, latency))
        results["replay"] = {"cases": CASES, "seconds": seconds}
        cuts = quantiles(lat, n=100)
        results["latency"] = {"rate": LATENCY_RATE, "seconds": LATENCY_SECONDS,
                              "samples": len(lat), "p50_ms": cuts[49] * 1000,
                              "p99_ms": cuts[98] * 1000}
    return results


if __name__ == "__main__":
    import json
    import logging

    logging.basicConfig(level=logging.WARNING)
    print(json.dumps(run(), indent=1))
