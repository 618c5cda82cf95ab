"""What QR events reads from Kafka, in every worker:

- the whole of ``qr.codes``, with no consumer group (``civic.kafka.compacted``), into
  this worker's code view, so each worker serves every code and every change;
- as the consumer group (``QR_EVENTS_CONSUMER_GROUP``, by default ``qr_events``),
  ``cases.submitted``, ``cases.lifecycle`` and ``qr.codes`` for conversions and erasures,
  with the platform's retry and dead-letter rules (``civic.kafka.consumer``).
"""

from __future__ import annotations

from collections.abc import Callable

from civic.contracts import EventPayload
from civic.contracts.qr import QrCodeChanged
from civic.kafka.background import BackgroundConsumer
from civic.kafka.compacted import CompactedReader
from civic.kafka.metrics import KafkaMetrics
from civic.kafka.producer import EventProducer
from qr_events.codes.view import CodeState, CodeView
from qr_events.conversions.service import TOPICS, ConversionService


class Consumers:
    def __init__(self, client_id: str, view: CodeView, conversions: ConversionService,
                 producer: Callable[[], EventProducer], metrics: KafkaMetrics, *,
                 group: str, production: bool) -> None:
        self.client_id = client_id
        self.view = view
        self.reader: CompactedReader | None = None
        self.group = BackgroundConsumer(group=group, topics=TOPICS,
                                        handler=conversions.handle, producer=producer,
                                        metrics=metrics, production=production)

    def start(self, servers: str) -> None:
        self.reader = CompactedReader(servers, QrCodeChanged.topic,
                                      client_id=f"{self.client_id}-view",
                                      on_event=self._apply, on_synced=self.view.mark_synced)
        self.reader.start()
        self.group.start(servers)

    def stop(self) -> None:
        if self.reader is not None:
            self.reader.stop()
        self.group.stop()

    def _apply(self, payload: EventPayload) -> None:
        if isinstance(payload, QrCodeChanged):
            self.view.apply(CodeState.of(payload))
