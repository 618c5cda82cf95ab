"""faust's Kafka transport with a configurable fetch wait.

faust 0.15 creates its aiokafka consumer with fetch_max_wait_ms fixed at 1500. The
embedded broker (Tansu) holds every fetch for that long even when records arrive, so a
case waited 0.5 s on average before scoring (measured in make bench: p50 674 ms at
1500 ms, 83 ms at 100 ms). aiokafka reads the value when the consumer starts, so it is
set on the consumer faust has just built.
"""

from __future__ import annotations

from typing import Any

import faust
from faust.transport.drivers import aiokafka as driver


def app_with_fetch_wait(fetch_max_wait_ms: int, *args: Any, **kwargs: Any) -> faust.App:
    class ConsumerThread(driver.AIOKafkaConsumerThread):
        def _create_worker_consumer(self, transport: Any) -> Any:
            consumer = super()._create_worker_consumer(transport)
            consumer._fetch_max_wait_ms = fetch_max_wait_ms
            return consumer

    class QuickConsumer(driver.Consumer):
        def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
            return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    class Transport(driver.Transport):
        Consumer = QuickConsumer

    class App(faust.App):
        def _new_transport(self) -> Any:
            return Transport(self.conf.broker_consumer, self)

    return App(*args, **kwargs)
