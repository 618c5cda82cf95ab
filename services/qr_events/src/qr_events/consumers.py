"""What QR events reads from Kafka, in every worker:

- the whole of ``qr.codes``, with no consumer group (``civic.kafka.compacted``), into
  this worker's code view, so each worker serves every code and every change;
- as the consumer group (``QR_EVENTS_CONSUMER_GROUP``, by default ``qr_events``),
  ``cases.submitted``, ``cases.lifecycle`` and ``qr.codes`` for conversions and erasures,
  with the platform's retry and dead-letter rules (``civic.kafka.consumer``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from civic.contracts import EventPayload
from civic.contracts.qr import QrCodeChanged
from civic.kafka.compacted import CompactedReader
from civic.kafka.consumer import EventConsumer, dev_consumer_settings
from civic.kafka.metrics import KafkaMetrics
from civic.kafka.producer import EventProducer
from qr_events.codes.view import CodeState, CodeView
from qr_events.conversions.service import TOPICS, ConversionService

log = logging.getLogger(__name__)


class Consumers:
    def __init__(self, client_id: str, view: CodeView, conversions: ConversionService,
                 producer: Callable[[], EventProducer], metrics: KafkaMetrics, *,
                 group: str, production: bool) -> None:
        self.client_id = client_id
        self.group = group
        self.view = view
        self.conversions = conversions
        self.producer = producer
        self.metrics = metrics
        self.production = production
        self.reader: CompactedReader | None = None
        self.consumer: EventConsumer | None = None
        self._stopped = threading.Event()

    def start(self, servers: str) -> None:
        self.reader = CompactedReader(servers, QrCodeChanged.topic,
                                      client_id=f"{self.client_id}-view",
                                      on_event=self._apply, on_synced=self.view.mark_synced)
        self.reader.start()
        threading.Thread(target=self._run_consumer, args=(servers,), daemon=True,
                         name="qr-events-consumer").start()

    def _run_consumer(self, servers: str) -> None:
        # The group's consumer is made here, off the start-up path: the broker may be
        # down, and joining a group takes seconds; redirects are served meanwhile.
        failures = 0
        while not self._stopped.is_set():
            dlq = None
            try:
                dlq = self.producer()
                self.consumer = EventConsumer(
                    servers, group_id=self.group, topics=TOPICS, handler=self.conversions.handle,
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
        if self.reader is not None:
            self.reader.stop()
        if self.consumer is not None:
            self.consumer.close()

    def _apply(self, payload: EventPayload) -> None:
        if isinstance(payload, QrCodeChanged):
            self.view.apply(CodeState.of(payload))
