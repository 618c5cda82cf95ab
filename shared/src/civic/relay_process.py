"""The outbox relay as its own process: `python -m <service> relay`.

`serve` runs the relay in-process, which is simplest. Under load the relay's bursts of
producer work compete with request handling for the interpreter, so a busy deployment
runs `serve` with `<SERVICE>_RUN_RELAY=false` beside one `relay` process.

Any number of relays keep each key's events in order on the topic. On PostgreSQL they
share the work: a relay takes a key by locking its earliest waiting event, so each
relay publishes different keys. On SQLite they take turns (a lock file beside the
database), so a second relay adds failover, not throughput."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from civic.identity import ServiceIdentity
from civic.kafka.bootstrap import resolve_broker
from civic.kafka.metrics import KafkaMetrics
from civic.kafka.producer import EventProducer
from civic.outbox import OutboxRelay
from civic.process import stop_on_signals
from civic.settings import ServiceSettings

log = logging.getLogger(__name__)


def run_relay(identity: ServiceIdentity, settings: ServiceSettings, engine: Engine, *,
              poll_seconds: float) -> int:
    servers, embedded = resolve_broker(settings)
    metrics = KafkaMetrics.for_service(identity.name)
    relay = OutboxRelay(engine, lambda: EventProducer(servers,
                                                      client_id=f"{identity.client_id}-relay",
                                                      metrics=metrics),
                        service=identity.name, idle_wait_s=poll_seconds)
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
