"""Which broker a process talks to: the configured one, or the embedded dev broker."""

from __future__ import annotations

import logging
import threading
import time

from civic.kafka.broker import EmbeddedBroker
from civic.kafka.topics import TopicRegistry
from civic.settings import ServiceSettings

log = logging.getLogger(__name__)


def apply_topics_in_background(bootstrap_servers: str) -> threading.Thread:
    """Create missing topics without holding up start-up; a broker that is down now is
    retried until it answers (the outbox keeps events meanwhile)."""

    def apply() -> None:
        delay = 1.0
        while True:
            try:
                TopicRegistry.load().apply(bootstrap_servers)
                return
            except Exception as exc:
                log.warning("could not apply topics yet (%s); retrying in %.0fs", exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 60.0)

    thread = threading.Thread(target=apply, name="apply-topics", daemon=True)
    thread.start()
    return thread


def resolve_broker(settings: ServiceSettings) -> tuple[str, EmbeddedBroker | None]:
    """Return bootstrap servers, starting the embedded broker when none is configured.

    The embedded broker keeps events in memory only, so production refuses to start one.
    """
    if settings.kafka_bootstrap_servers:
        return settings.kafka_bootstrap_servers, None
    if settings.is_production:
        raise RuntimeError("KAFKA_BOOTSTRAP_SERVERS must be set in production")
    broker = EmbeddedBroker().start()
    log.warning("KAFKA_BOOTSTRAP_SERVERS unset: started the in-memory dev broker at %s "
                "(events are lost when it stops)", broker.bootstrap_servers)
    TopicRegistry.load().apply(broker.bootstrap_servers)
    return broker.bootstrap_servers, broker
