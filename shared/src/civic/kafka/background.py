"""A service's consumer group, run on a thread of its own and started off the start-up
path: the broker may be down, and joining a group takes seconds, while the service's
API should serve meanwhile. Making the consumer is retried with a capped backoff until
it works or the service stops; from then on ``civic.kafka.consumer`` owns retries and
dead letters."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from civic.kafka.consumer import EventConsumer, Handler, dev_consumer_settings
from civic.kafka.metrics import KafkaMetrics
from civic.kafka.producer import EventProducer

log = logging.getLogger(__name__)


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
