"""A service's consumer group, run on a thread of its own and started off the start-up
path: the broker may be down, and joining a group takes seconds, while the service's
API should serve meanwhile. Making the consumer is retried with a capped backoff until
it works or the service stops; from then on ``civic.kafka.consumer`` owns retries and
dead letters."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.exc import InterfaceError, OperationalError

from civic.contracts.envelope import Envelope
from civic.kafka.consumer import EventConsumer, Handler, dev_consumer_settings
from civic.kafka.metrics import KafkaMetrics
from civic.kafka.producer import EventProducer

log = logging.getLogger(__name__)
# Pauses per attempt. The consumer tries a handler up to RetryPolicy.max_attempts (3)
# times, so one record's pauses come to about four minutes, under the group's 300 s
# max_poll_interval. Time inside failing calls comes on top (a locked SQLite file waits
# its busy timeout), and a poll's other records wait in turn: past the interval the group
# moves the partition and the records are read again, not lost. An outage longer than
# this dead-letters what arrives.
OUTAGE_WAIT_S = 80.0


def waiting_out_database_outages(handler: Handler, *, wait_s: float = OUTAGE_WAIT_S,
                                 sleep: Callable[[float], None] = time.sleep) -> Handler:
    """The handler, made to wait (up to ``wait_s`` per attempt) while the database is unreachable,
    rather than fail until the consumer's retries run out and a good event is
    dead-lettered. Other errors go to the consumer's retries at once."""
    def handle(envelope: Envelope) -> None:
        waited, pause = 0.0, 0.5
        while True:
            try:
                return handler(envelope)
            except (OperationalError, InterfaceError) as exc:
                if waited >= wait_s:
                    raise
                log.warning("the database is unreachable (%s); event %s waits",
                            type(exc).__name__, envelope.id)
                sleep(pause)
                waited, pause = waited + pause, min(pause * 2, 10.0)

    return handle


class BackgroundConsumer:
    def __init__(self, *, group: str, topics: list[str], handler: Handler,
                 producer: Callable[[], EventProducer], metrics: KafkaMetrics,
                 production: bool) -> None:
        self.group = group
        self.topics = topics
        self.handler = handler
        self.producer = producer  # for the dead-letter topic
        self.metrics = metrics
        self.production = production
        self.consumer: EventConsumer | None = None
        self._stopped = threading.Event()

    def start(self, servers: str) -> None:
        threading.Thread(target=self._run, args=(servers,), daemon=True,
                         name=f"consumer-{self.group}").start()

    def _run(self, servers: str) -> None:
        failures = 0
        while not self._stopped.is_set():
            dlq = None
            try:
                dlq = self.producer()
                self.consumer = EventConsumer(
                    servers, group_id=self.group, topics=self.topics, handler=self.handler,
                    dlq_producer=dlq, metrics=self.metrics,
                    **({} if self.production else dev_consumer_settings()))
                break
            except Exception as exc:
                if dlq is not None:
                    dlq.close()
                failures += 1
                log.warning("could not start the %s consumer: %s: %s; trying again", self.group,
                            type(exc).__name__, exc)
                self._stopped.wait(min(30.0, 0.5 * 2 ** failures))
        if self.consumer is not None:
            if not self._stopped.is_set():
                self.consumer.run()
            self.consumer.close()

    def stop(self) -> None:
        self._stopped.set()
        if self.consumer is not None:
            self.consumer.close()
