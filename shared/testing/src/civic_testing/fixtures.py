"""Fixtures for a real broker and real databases.

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
from collections.abc import Iterator, Sequence

import pytest

from civic.kafka.topics import TopicRegistry
from civic_testing.bus_reading import Offsets, end_offsets
from civic_testing.bus_scanner import BusScanner

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
def kafka_bootstrap(bus_scanner: BusScanner) -> Iterator[str]:
    """The run's broker. Before it stops, the bus scanner reads everything the run put
    on it (``civic_testing.bus_scanner``)."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        bus_scanner.watch(external)  # an external broker may hold older messages
        TopicRegistry.load().apply(external)
        yield external
        bus_scanner.scan(external)
        return
    if os.environ.get("CIVIC_TEST_BROKER", "auto") != "embedded" and _docker_reachable():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as container:
            servers = container.get_bootstrap_server()
            TopicRegistry.load().apply(servers)
            yield servers
            bus_scanner.scan(servers)
        return
    from civic.kafka.broker import EmbeddedBroker

    with EmbeddedBroker() as broker:
        TopicRegistry.load().apply(broker.bootstrap_servers)
        yield broker.bootstrap_servers
        bus_scanner.scan(broker.bootstrap_servers)


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
    yield from fresh_postgres_or_skip()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, for tests about PostgreSQL alone."""
    yield from fresh_postgres_or_skip()


def fresh_postgres_or_skip() -> Iterator[str]:
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


def start_group_at_end(bootstrap_servers: str, group: str, topics: Sequence[str]
                       ) -> Offsets:
    """Commit ``group``'s offsets where ``topics`` end now, as for a service that has
    read everything before, and return them: a new group then reads only what comes
    after. Without it a test's new group first replays every event the whole run has put
    on those topics (thousands, by the end of ``make test``), and the test's own events
    wait behind them."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata

    ends = end_offsets(bootstrap_servers, topics=topics)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=group,
                             enable_auto_commit=False)
    try:
        consumer.commit({TopicPartition(topic, partition): OffsetAndMetadata(offset, "", -1)
                         for (topic, partition), offset in ends.items()})
    finally:
        consumer.close()
    return ends
