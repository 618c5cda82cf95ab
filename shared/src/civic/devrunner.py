"""`civic dev`: the embedded broker, every service in infra/dev.yaml with prefixed logs,
demo data, and the URLs to open. Ctrl-C stops everything.

Each service gets the plan's ``env`` for it (development settings such as a short
publication interval), under anything already set in the environment. Seed commands
also learn whether the broker is a fresh embedded one (``CIVIC_DEV_BROKER=embedded``),
which keeps no events from an earlier run, or an external one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import yaml
from pydantic import BaseModel

from civic.kafka.broker import EmbeddedBroker
from civic.kafka.topics import TopicRegistry
from civic.paths import infra_file
from civic.process import stop_on_signals

COLOURS = ["\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m"]
RESET = "\033[0m"


class DevService(BaseModel):
    name: str
    port: int
    command: list[str]
    seed: list[str] | None = None
    env: dict[str, str] = {}
    urls: dict[str, str] = {}


class DevPlan(BaseModel):
    broker_port: int = 9092
    services: list[DevService]

    def service_env(self, service: DevService) -> dict[str, str]:
        """The service's ``env``, where ``{case_intake}`` (any service's name) stands for
        that service's base URL: one service may link residents to another's pages."""
        bases = {s.name: f"http://127.0.0.1:{s.port}" for s in self.services}
        return {key: value.format(**bases) for key, value in service.env.items()}


def _pipe(prefix: str, stream, colour: str) -> None:  # type: ignore[no-untyped-def]
    tty = sys.stdout.isatty()
    for line in iter(stream.readline, b""):
        text = line.decode(errors="replace").rstrip()
        tag = f"{colour}{prefix:>14}{RESET}" if tty else f"{prefix:>14}"
        print(f"{tag} | {text}", flush=True)


def _wait_ready(url: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def run(plan_file: Path | None = None) -> int:
    plan = DevPlan.model_validate(yaml.safe_load((plan_file or infra_file("dev.yaml")).read_text()))
    Path("var").mkdir(exist_ok=True)
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None if external else EmbeddedBroker(port=plan.broker_port,
                                                  log_file=Path("var/broker.log")).start()
    servers = external or broker.bootstrap_servers  # type: ignore[union-attr]
    TopicRegistry.load().apply(servers)
    kind = "external" if external else "embedded in-memory"
    print(f"{'broker':>14} | {kind} broker at {servers}", flush=True)
    children: list[subprocess.Popen[bytes]] = []
    stop_on_signals()
    try:
        for index, service in enumerate(plan.services):
            env = {**plan.service_env(service), **os.environ,
                   "KAFKA_BOOTSTRAP_SERVERS": servers, "PYTHONUNBUFFERED": "1",
                   f"{service.name.upper()}_PORT": str(service.port)}
            child = subprocess.Popen(service.command, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
            children.append(child)
            threading.Thread(target=_pipe, args=(service.name, child.stdout,
                                                 COLOURS[index % len(COLOURS)]),
                             daemon=True).start()
        for service in plan.services:
            base = f"http://127.0.0.1:{service.port}"
            if not _wait_ready(base + "/readyz"):
                print(f"{service.name} did not become ready; see its log above", flush=True)
                return 1
            if service.seed:
                env = {**plan.service_env(service), **os.environ,
                       "KAFKA_BOOTSTRAP_SERVERS": servers,
                       f"{service.name.upper()}_PORT": str(service.port),
                       "CIVIC_DEV_BROKER": "external" if external else "embedded"}
                subprocess.run(service.seed, env=env, check=True)
        print("\nThe civic platform is running (Ctrl-C stops everything):", flush=True)
        width = max(len(f"{s.name} {label}") for s in plan.services for label in s.urls)
        print(f"  {'Kafka broker':<{width}} {servers}")
        for service in plan.services:
            for label, path in service.urls.items():
                print(f"  {service.name + ' ' + label:<{width}} "
                      f"http://127.0.0.1:{service.port}{path}")
        print(f"  {'Watch cases':<{width}} uv run civic tail cases.submitted\n", flush=True)
        while True:
            if any(c.poll() is not None for c in children):
                print("a service exited; stopping", flush=True)
                return 1
            if broker is not None and not broker.running:
                print("the embedded broker exited; stopping", flush=True)
                return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in children:
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        if broker is not None:
            broker.stop()
        print("stopped", flush=True)
