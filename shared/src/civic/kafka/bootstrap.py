"""Which broker a process talks to: the configured one, or the embedded dev broker."""

from __future__ import annotations

import logging

from civic.kafka.broker import EmbeddedBroker
from civic.kafka.topics import TopicRegistry
from civic.settings import ServiceSettings

log = logging.getLogger(__name__)


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
