"""The outbox relay as its own process.

`serve` runs the relay in-process, which is simplest. Under load the relay's bursts of
producer work compete with request handling for the interpreter, so a busy deployment
runs `serve` with CASE_INTAKE_RUN_RELAY=false beside one `relay` process.

Any number of relays keep each case's events in order on the topic. On PostgreSQL they
share the work: a relay takes a case by locking its earliest waiting event, so each
relay publishes different cases. On SQLite they take turns (a lock file beside the
database), so a second relay adds failover, not throughput."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from case_intake import IDENTITY
from case_intake.settings import Settings
from civic.kafka.bootstrap import resolve_broker
from civic.kafka.metrics import KafkaMetrics
from civic.kafka.producer import EventProducer
from civic.outbox import OutboxRelay
from civic.process import stop_on_signals

log = logging.getLogger(__name__)


def run_relay(settings: Settings, engine: Engine) -> int:
    servers, embedded = resolve_broker(settings)
    metrics = KafkaMetrics.for_service(IDENTITY.name)
    relay = OutboxRelay(engine, lambda: EventProducer(servers,
                                                      client_id=f"{IDENTITY.client_id}-relay",
                                                      metrics=metrics),
                        service=IDENTITY.name, idle_wait_s=settings.relay_poll_seconds)
    stop_on_signals()
    thread = relay.start()
    log.info("outbox relay running against %s", servers)
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        relay.stop()
        thread.join(10)
        if embedded is not None:
            embedded.stop()
    return 0
