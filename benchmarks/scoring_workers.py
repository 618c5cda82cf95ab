"""Need scoring as one worker process and then two (``python -m need_scoring serve``, one
consumer group, PostgreSQL), on the embedded broker: cases per second scored from a
backlog on cases.submitted, and the ratio of two workers to one.

Each run is a new policy version, so a new consumer group reads the backlog from the
oldest case, as a replay does. The rate is taken between 10% and 90% of the backlog,
so the workers' start and the group's first rebalance are left out. On this 2-core
machine the workers share the cores with the broker, so the ratio shows what a second
worker buys here, not on a machine where each worker has a core to itself.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.common import cpu_seconds, fresh_database
from benchmarks.need_scoring import case_records, policy_version
from civic.kafka.broker import EmbeddedBroker, free_port
from civic.kafka.producer import EventProducer
from civic.kafka.topics import TopicRegistry

CASES = int(os.environ.get("BENCH_SCORING_WORKERS_CASES", "100000"))
SCORES = re.compile(r"^civic_need_scoring_scores_total\{[^}]*\} ([0-9.e+]+)$", re.MULTILINE)


class Worker:
    def __init__(self, env: dict[str, str], data_dir: Path) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "need_scoring", "serve"],
            env={**os.environ, **env, "NEED_SCORING_PORT": str(port),
                 "NEED_SCORING_DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def scored(self) -> float:
        if self.process.poll() is not None:
            raise RuntimeError(f"a need scoring worker exited ({self.process.returncode})")
        try:
            with urllib.request.urlopen(f"{self.url}/metrics", timeout=2) as answer:
                return sum(float(n) for n in SCORES.findall(answer.read().decode()))
        except OSError:
            return 0.0  # not serving yet

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _measure(env: dict[str, str], workers: int, folder: Path) -> dict[str, Any]:
    version = f"need-bench-w{workers}"
    env = {**env, "NEED_SCORING_POLICY_FILE": str(policy_version(folder, version)),
           "NEED_SCORING_STANDBY_REPLICAS": str(workers - 1)}
    running = [Worker(env, folder / f"{version}-{n}") for n in range(workers)]
    samples: list[tuple[float, float]] = []  # (time, cases scored by all workers)
    try:
        deadline = time.monotonic() + 900
        while not samples or samples[-1][1] < CASES:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{workers} worker(s) scored {samples[-1][1]:.0f} of "
                                   f"{CASES} in 15 minutes")
            samples.append((time.perf_counter(), sum(w.scored() for w in running)))
            time.sleep(0.25)
        cpu = [cpu_seconds(w.process.pid) for w in running]
    finally:
        for worker in running:
            worker.stop()
    start = next(t for t, n in samples if n >= CASES * 0.1)
    end = next(t for t, n in samples if n >= CASES * 0.9)
    first = next(t for t, n in samples if n > 0)
    return {"cases_per_s": CASES * 0.8 / (end - start), "seconds_all": samples[-1][0] - first,
            "cpu_seconds": cpu}


def run() -> dict[str, Any]:
    with (tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker,
          fresh_database() as url):
        servers = broker.bootstrap_servers
        TopicRegistry.load().apply(servers)
        producer = EventProducer(servers, client_id="bench-load")
        assert all(producer.send_all(case_records(CASES), timeout=300))
        producer.close()
        env = {"KAFKA_BOOTSTRAP_SERVERS": servers, "NEED_SCORING_DATABASE_URL": url,
               "NEED_SCORING_APPLY_TOPICS": "false"}
        one = _measure(env, 1, Path(tmp))
        two = _measure(env, 2, Path(tmp))
    return {"cases": CASES, "one": one, "two": two, "cores": os.cpu_count(),
            "ratio": two["cases_per_s"] / one["cases_per_s"]}


def report(result: dict[str, Any]) -> None:
    print(f"Need scoring, one worker process and then two (one consumer group, PostgreSQL, "
          f"{result['cases']:,} cases replayed from cases.submitted, {result['cores']} cores "
          "shared with the broker)")
    for label in ("one", "two"):
        figures = result[label]
        cpu = " + ".join(f"{c:.0f}" for c in figures["cpu_seconds"])
        print(f"  {label} worker{'s' if label == 'two' else ' '}  {figures['cases_per_s']:7.0f}"
              f" cases/s (10% to 90% of the backlog)   all in {figures['seconds_all']:5.1f} s"
              f"   worker CPU {cpu} s")
    print(f"  ratio two/one  {result['ratio']:.2f}  (target >= 1.6)\n", flush=True)


if __name__ == "__main__":
    report(run())
