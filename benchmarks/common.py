"""Helpers the benchmarks share: servers in subprocesses, the load generator, bodies."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SERVER_SETTINGS = ["--workers", "1", "--loop", "uvloop", "--http", "httptools",
                   "--no-access-log", "--log-level", "warning"]


def case_bodies(count: int, seed: int = 7) -> list[str]:
    from civic.reference import geography

    rng = random.Random(seed)
    areas = sorted(geography().areas)
    bodies = []
    for i in range(count):
        people = rng.randint(1, 5)
        bodies.append(json.dumps({
            "channel": "phone", "categories": rng.sample(["food", "money", "housing",
                                                          "medicine", "loneliness"], 2),
            "urgency": rng.choice(["today", "this_week", "can_wait"]),
            "household": {"people": people, "children": rng.randint(0, people - 1),
                          "lives_alone": people == 1,
                          "disability_or_long_term_condition": rng.random() < 0.3,
                          "no_internet_access": rng.random() < 0.2},
            "contact": {"name": f"Bench Resident {i}", "phone": f"07700 9{i % 100000:05d}",
                        "email": f"bench{i}@example.org"},
            "location": {"lsoa_code": rng.choice(areas)},
            "consent": {"lawful_basis": "public_task", "share_with_partners": True,
                        "terms_version": "2026-10"},
            "details": "Benchmark request " * 5,
        }))
    return bodies


class Server:
    """`uvicorn APP` in a subprocess on a port, with the given environment."""

    def __init__(self, app: str, port: int, env: dict[str, str] | None = None,
                 factory: bool = False, workers: int = 1) -> None:
        settings = [*SERVER_SETTINGS]
        settings[settings.index("--workers") + 1] = str(workers)
        args = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port",
                str(port), *settings]
        if factory:
            args.append("--factory")
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(args, env={**os.environ, **(env or {})},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode())  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(self.url + path, timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.url} not ready")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the load generator in its own process and return its summary."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.loadgen"], input=json.dumps(spec),
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@contextmanager
def fresh_database() -> Iterator[str]:
    """A PostgreSQL database of its own for one benchmark, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"civic_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
