"""Two need scoring workers (``python -m need_scoring serve`` processes, one consumer
group) on the real broker and one PostgreSQL database, as a scaled-out deployment runs
them:

- together they score a stream of cases exactly as one worker would (a replay of what
  the topic holds, then live cases): every case once,
  under one event id, with the policy's score; the area owner's counts are a recount of
  every case, whichever worker scored it; both workers serve the same area figures;
- a worker killed mid-stream loses no score: the other takes its partitions and the
  area counts, every case is scored, and none under two event ids;
- an override sent to a worker that does not own the case is applied by the one that
  does, and answered by the first.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaConsumer

from civic.contracts.envelope import Envelope, encode
from civic.contracts.scoring import CaseScored
from civic.db import ServiceDatabase
from civic.http.auth import ApiKeyStore, Role
from civic.kafka.broker import free_port
from civic.kafka.producer import EventProducer
from civic.reference import geography
from civic_testing import ServiceProcess
from need_scoring.areas.counts import AreaCounts, Counts
from need_scoring.database import schema
from need_scoring.policy import load_policy
from need_scoring.stream.processor import CaseProcessor

from ..conftest import make_case, scores_by_event_id

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow]

# Four small areas, so every area's counts pass the suppression threshold.
AREAS = ("E01000947", "E01000907", "E01000855", "E01000912")


class Workers:
    def __init__(self, policy: Path, database_url: str, kafka: str, tmp: Path) -> None:
        self.policy, self.database_url, self.kafka, self.tmp = policy, database_url, kafka, tmp
        self.version = load_policy(policy).version
        self.group = f"need-scoring.{self.version}"
        self.running: list[ServiceProcess] = []

    def start(self) -> ServiceProcess:
        n = len(self.running)
        log = (self.tmp / f"worker-{n}.log").open("w")
        process = ServiceProcess("need_scoring", {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka,
            "NEED_SCORING_DATABASE_URL": self.database_url,
            "NEED_SCORING_APPLY_TOPICS": "false", "NEED_SCORING_POLICY_FILE": str(self.policy),
            "NEED_SCORING_DATA_DIR": str(self.tmp / f"faust-{n}"),
            "NEED_SCORING_AREA_PUBLISH_INTERVAL_S": "2",
            "NEED_SCORING_AREA_PUBLISH_SECONDS": "1",
            "NEED_SCORING_STANDBY_REPLICAS": "1"}, free_port(), log=log)
        process.wait_ready("/readyz")
        self.running.append(process)
        return process

    def wait_shared(self, timeout_s: float = 60) -> None:
        """Until every running worker scores some partitions, they cover all six, and
        exactly one of them owns the area counts."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            shares = [metric(w, "civic_need_scoring_assigned_case_partitions")
                      for w in self.running]
            owners = sum(metric(w, "civic_need_scoring_area_owner") for w in self.running)
            if all(shares) and sum(shares) == 6 and owners == 1:
                return
            time.sleep(0.5)
        raise AssertionError(f"the work was never shared: {shares}, {owners} owners")

    def stop(self) -> None:
        for process in self.running:
            process.stop()


@pytest.fixture
def workers(policy_file: Callable[..., Path], postgres_url: str, kafka_bootstrap: str,
            tmp_path: Path) -> Any:
    database = ServiceDatabase(schema(), postgres_url)
    database.migrate()  # once, as a deployment's migrate job
    database.dispose()
    running = Workers(policy_file(), postgres_url, kafka_bootstrap, tmp_path)
    yield running
    running.stop()


def staff_key(database_url: str) -> dict[str, str]:
    database = ServiceDatabase(schema(), database_url)
    key = ApiKeyStore(database.engine).create(f"staff.{uuid.uuid4().hex[:6]}", Role.STAFF)
    database.dispose()
    return {"Authorization": f"Bearer {key}"}


def cases(n: int, days_ago: int) -> list[Any]:
    """Filed ``days_ago``: each test's own day, so its counts are told apart from other
    tests' cases, which the group also reads (the topic is the run's)."""
    urgencies, filed_at = ("today", "this_week", "can_wait"), datetime.now(UTC)
    return [make_case(lsoa_code=AREAS[i % len(AREAS)], urgency=urgencies[i % 3],
                      submitted_at=filed_at - timedelta(days=days_ago)) for i in range(n)]


def publish(kafka: str, payloads: list[Any]) -> None:
    producer = EventProducer(kafka, client_id="test-workers")
    assert all(producer.send_all([encode(p, source="urn:test") for p in payloads]))
    producer.close()




def assert_scored_once_each_as_one_worker_would(policy: Path, filed: list[Any],
                                                found: dict[str, dict[str, CaseScored]]
                                                ) -> None:
    missing = {str(c.case_id) for c in filed} - set(found)
    assert not missing, f"{len(missing)} of {len(filed)} cases were never scored"
    twice = {case_id for case_id, by_id in found.items() if len(by_id) > 1}
    assert not twice, f"{len(twice)} cases were scored under more than one event id"
    one_worker = CaseProcessor(load_policy(policy), geography())
    for case in filed:
        expected = one_worker.handle(Envelope(
            id=str(uuid.uuid4()), source="urn:test", type=case.event_type,
            time=datetime.now(UTC), subject=None, payload=case), {}, AreaCounts({}, {}))
        assert expected is not None
        (scored,) = found[str(case.case_id)].values()
        assert (scored.score, scored.band) == (expected.score, expected.band)


def one_worker_buckets(policy: Path, filed: list[Any]) -> dict[str, Counts]:
    processor, buckets = CaseProcessor(load_policy(policy), geography()), {}
    need = AreaCounts({}, buckets)
    for case in filed:
        processor.handle(Envelope(id=str(uuid.uuid4()), source="urn:test",
                                  type=case.event_type, time=datetime.now(UTC),
                                  subject=None, payload=case), {}, need)
    return buckets


def owner_buckets(kafka: str, group: str, filed: list[Any],
                  until: Callable[[dict[str, Counts]], bool],
                  timeout_s: float = 60) -> dict[str, Counts]:
    """The area owner's buckets of the day these cases were filed, as its table's
    changelog holds them (the last value of each key)."""
    day = f"|{filed[0].submitted_at.date().isoformat()}"
    consumer = KafkaConsumer(f"{group}-open-case-buckets-changelog", bootstrap_servers=kafka,
                             auto_offset_reset="earliest", consumer_timeout_ms=500)
    buckets: dict[str, Counts] = {}
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and not until(buckets):
            for record in consumer:
                key = json.loads(record.key)
                if not key.endswith(day):
                    continue
                if record.value is None:
                    buckets.pop(key, None)
                else:
                    buckets[key] = json.loads(record.value)
    finally:
        consumer.close()
    return buckets


def metric(worker: ServiceProcess, name: str) -> float:
    text = httpx.get(f"{worker.url}/metrics", timeout=5).text
    return sum(float(m.group(1)) for m in re.finditer(
        rf"^{name}(?:{{[^}}]*}})? ([0-9.e+]+)$", text, re.MULTILINE))


def served(worker: ServiceProcess) -> list[Any]:
    response = httpx.get(f"{worker.url}/v1/areas/need?level=lsoa&window=28d", timeout=5)
    if response.status_code != 200:
        return []
    return [(f["properties"]["code"], f["properties"]["open_cases"])
            for f in response.json()["features"] if f["properties"]["code"] in AREAS]


def test_two_workers_score_a_stream_as_one_worker_would(workers: Workers) -> None:
    """Half the cases are on the topic before the workers start, as when a new policy
    version replays the retained cases; the rest come while they run."""
    filed = cases(240, days_ago=10)
    publish(workers.kafka, filed[:120])
    first, second = workers.start(), workers.start()
    workers.wait_shared()
    publish(workers.kafka, filed[120:])

    found = scores_by_event_id(workers.kafka, filed, timeout_s=90)
    assert_scored_once_each_as_one_worker_would(workers.policy, filed, found)
    shares = [metric(w, "civic_need_scoring_scores_total") for w in (first, second)]
    assert all(shares), f"both workers scored some of the cases: {shares}"

    expected = one_worker_buckets(workers.policy, filed)
    counted = owner_buckets(workers.kafka, workers.group, filed, lambda b: b == expected)
    assert counted == expected, "the owner's counts are a recount of every case"

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        views = [served(first), served(second)]
        if views[0] and views[0] == views[1] and all(n for _, n in views[0]):
            break
        time.sleep(0.5)
    assert views[0] == views[1], "both workers serve the same area figures"
    assert len(views[0]) == len(AREAS) and all(n for _, n in views[0]), views


def test_a_worker_killed_mid_stream_loses_nothing(workers: Workers) -> None:
    """The area owner is the one killed: the other takes its cases and its counts.

    It found three faust defects (``stream/transport.py``). Before the last was defended
    it lost one case in 3 runs of 8 (the record at a partition's committed offset,
    skipped and committed past); with it, none in 8 runs."""
    first, second = workers.start(), workers.start()
    workers.wait_shared()
    victim, survivor = (first, second) if metric(first, "civic_need_scoring_area_owner") \
        else (second, first)
    filed = cases(600, days_ago=12)
    sender = threading.Thread(target=lambda: [
        publish(workers.kafka, filed[i:i + 20]) or time.sleep(0.1)
        for i in range(0, len(filed), 20)])
    sender.start()
    deadline = time.monotonic() + 60
    while metric(victim, "civic_need_scoring_scores_total") < 100:
        assert time.monotonic() < deadline, "the victim never scored"
        time.sleep(0.1)
    victim.kill()  # mid-stream: its last batches unacknowledged
    sender.join()

    found = scores_by_event_id(workers.kafka, filed, timeout_s=120)
    assert_scored_once_each_as_one_worker_would(workers.policy, filed, found)
    workers.running.remove(victim)
    workers.wait_shared()  # the survivor scores every partition and owns the counts
    assert metric(survivor, "civic_need_scoring_area_owner") == 1
    # Not asserted: that the survivor's area counts equal one worker's. On the embedded
    # broker a promoted owner can miss the last changes of its tables' changelogs
    # (README, "Restarts on the embedded broker"): one run of four counted 148 of 150.


def test_an_override_sent_to_the_worker_that_does_not_own_the_case(workers: Workers) -> None:
    """Every override goes to the first worker; the second owns about half the cases,
    applies theirs (its override counter says so) and the first answers for it."""
    first, second = workers.start(), workers.start()
    workers.wait_shared()
    filed = cases(12, days_ago=14)
    publish(workers.kafka, filed)
    scores_by_event_id(workers.kafka, filed, timeout_s=90)
    staff = staff_key(workers.database_url)
    for case in filed:
        answer = httpx.post(f"{first.url}/v1/cases/{case.case_id}/band-override",
                            json={"band": "urgent", "reason": "Two workers, one decision."},
                            headers=staff, timeout=30)
        assert answer.status_code == 201, answer.text
        assert answer.json()["band"] == "urgent"
        assert answer.json()["override"]["override_id"] == answer.json()["decision"]["id"]
    applied = [metric(w, "civic_need_scoring_band_overrides_total") for w in (first, second)]
    assert sum(applied) == len(filed) and all(applied), applied
    for worker in (first, second):  # each answers from its own or its standby copy
        for case in filed:
            score = httpx.get(f"{worker.url}/v1/cases/{case.case_id}/score", headers=staff,
                              timeout=5)
            assert (score.status_code, score.json()["band"]) == (200, "urgent"), score.text
