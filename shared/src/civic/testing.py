"""pytest fixtures every service's tests share: a real broker and real databases.

The broker is, in order: an external one when ``KAFKA_BOOTSTRAP_SERVERS`` is set;
testcontainers' Kafka when a Docker engine answers; otherwise the embedded Tansu broker.
Databases are SQLite always, plus PostgreSQL when ``TEST_DATABASE_URL`` is set or a
server answers on 127.0.0.1:5432. Under ``CI=true`` a missing PostgreSQL fails the
run instead of skipping, so CI cannot pass without exercising it.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest

from civic.kafka.topics import TopicRegistry

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _docker_reachable() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=2)
        client.ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        TopicRegistry.load().apply(external)
        yield external
        return
    if os.environ.get("CIVIC_TEST_BROKER", "auto") != "embedded" and _docker_reachable():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as container:
            servers = container.get_bootstrap_server()
            TopicRegistry.load().apply(servers)
            yield servers
        return
    from civic.kafka.broker import EmbeddedBroker

    with EmbeddedBroker() as broker:
        TopicRegistry.load().apply(broker.bootstrap_servers)
        yield broker.bootstrap_servers


def _postgres_admin_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return LOCAL_POSTGRES
    except OSError:
        return None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[str]:
    """A fresh, empty database on each backend; the test creates its schema."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        yield f"sqlite:///{path}"
        return
    admin_url = _postgres_admin_url()
    if admin_url is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 and TEST_DATABASE_URL "
                        "is unset; CI must run the storage tests on PostgreSQL")
        pytest.skip("PostgreSQL not reachable (set TEST_DATABASE_URL or start one on :5432)")
    yield from _fresh_postgres(admin_url)


def _fresh_postgres(admin_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"civic_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def unique_group(prefix: str = "test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class LiveServer:
    """Run an ASGI app under uvicorn on a free loopback port, in a thread: a real HTTP
    server for clients that cross a process boundary (browsers, Open311 clients)."""

    def __init__(self, app, port: int | None = None) -> None:  # type: ignore[no-untyped-def]
        import uvicorn

        from civic.kafka.broker import free_port

        self.app = app
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                     log_level="warning", access_log=False))
        self._thread: object = None

    def __enter__(self) -> LiveServer:
        import threading
        import time

        thread = threading.Thread(target=self._server.run, daemon=True)
        thread.start()
        self._thread = thread
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("live server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)  # type: ignore[attr-defined]


CHROMIUM = "/usr/bin/chromium"
# Chromium's own background traffic is refused by a closed network; keep it quiet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium under Playwright. Under CI=true a missing browser fails the run;
    elsewhere the browser tests skip and say why."""
    if not os.path.exists(CHROMIUM):
        message = (f"{CHROMIUM} not found: install Debian's chromium "
                   "(scripts/ensure-test-system-deps.sh does, as root)")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def artefact_path(name: str) -> str:
    """Where tests keep screenshots and reports for people to look at."""
    from pathlib import Path

    folder = Path(os.environ.get("CIVIC_TEST_ARTEFACTS", "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)


def axe_violations(page) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """axe-core's WCAG 2.0/2.1/2.2 A and AA rules and best practices on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]]}
            for v in results.response["violations"]]


def fuzz_operation(operation, mode, api_keys: list[str | None], *,  # type: ignore[no-untyped-def]
                   base_url: str | None = None, max_examples: int = 40) -> None:
    """Drive schemathesis' strategy for one OpenAPI operation, as each API key (None: no
    key), and fail on any 5xx. Its pytest plugin does not run under pytest 9. Skips, and
    says why, when a negative run finds no input that can be made invalid."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:  # type: ignore[no-untyped-def]
        for key in api_keys:
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            extra = {"base_url": base_url} if base_url else {}
            case.call_and_validate(headers=headers, checks=[not_a_server_error], **extra)

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        pytest.skip(f"{operation.label} has no input that can be made invalid")
