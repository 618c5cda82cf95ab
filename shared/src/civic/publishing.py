"""A service's way onto the bus from its API process: the outbox relay and the producer
factory it shares with anything else that publishes (a consumer's dead-letter topic),
both aimed at whichever broker the app was started with (``civic.http.app.Broker``,
set when the lifespan begins, so the same app runs on the embedded broker or a real one).
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from civic.http.app import Broker
from civic.identity import ServiceIdentity
from civic.kafka.metrics import KafkaMetrics
from civic.kafka.producer import EventProducer
from civic.outbox import OutboxRelay

log = logging.getLogger(__name__)


class Publishing:
    def __init__(self, identity: ServiceIdentity, engine: Engine, broker: Broker) -> None:
        self._identity, self._broker = identity, broker
        self.kafka_metrics = KafkaMetrics.for_service(identity.name)
        self.relay = OutboxRelay(engine, self.producer, service=identity.name)

    def producer(self) -> EventProducer:
        return EventProducer(self._broker.servers, client_id=self._identity.client_id,
                             metrics=self.kafka_metrics)

    def publish_what_is_left(self, timeout_s: float) -> None:
        """At shutdown, a few seconds to publish what the last writes enqueued; what is
        left waits in the outbox for the next start (or another worker's relay)."""
        try:
            self.relay.drain(timeout_s)
        except Exception as exc:  # the broker is down: the outbox keeps the events
            log.warning("outbox not drained at shutdown: %s: %s", type(exc).__name__, exc)
