"""faust's Kafka transport with a configurable fetch wait, and no ack of a message the
agent never saw.

faust 0.15 creates its aiokafka consumer with fetch_max_wait_ms fixed at 1500. The
embedded broker (Tansu) holds every fetch for that long even when records arrive, so a
case waited 0.5 s on average before scoring (measured in make bench: p50 674 ms at
1500 ms, 83 ms at 100 ms). aiokafka reads the value when the consumer starts, so it is
set on the consumer faust has just built.

Two defences against losing a case in a rebalance (the two-worker kill test lost one
case a partition in 3 runs of 13 before them):

- After a rebalance faust seeks each partition to its committed offset, but a record
  fetched before the seek can still arrive first. faust then takes the offsets between
  as a gap in the log, commits past them, and drops them when they come (their offset is
  below the one it read). Offsets on the input topics have no gaps, so this consumer
  drops the early record instead and seeks back to where it was reading.
- faust skips the records it fetched before a rebalance (their generation is not the
  consumer's, or the flow is stopped) and acknowledges them, so their offsets may be
  committed unprocessed. This consumer refuses those acks: faust seeks back to the
  committed offset, and they are read again. A batch of ours that straddles a rebalance
  is refused the same way and handled again, which handling allows.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import faust
from faust.transport.drivers import aiokafka as driver

log = logging.getLogger(__name__)

MAX_REREADS = 20  # seeks back to one place: more is a real gap in the log, let it pass


def app_with_fetch_wait(fetch_max_wait_ms: int, *args: Any, **kwargs: Any) -> faust.App:
    class ConsumerThread(driver.AIOKafkaConsumerThread):
        def _create_worker_consumer(self, transport: Any) -> Any:
            consumer = super()._create_worker_consumer(transport)
            consumer._fetch_max_wait_ms = fetch_max_wait_ms
            return consumer

    class QuickConsumer(driver.Consumer):
        _rereads: Counter[tuple[Any, int]] = Counter()

        def ack(self, message: Any) -> bool:
            if (getattr(message, "generation_id", None) != self.app.consumer_generation_id
                    or not self.app.flow_control.is_active()):
                return False
            acked: bool = super().ack(message)
            return acked

        async def getmany(self, timeout: float) -> AsyncIterator[tuple[Any, Any]]:
            reread: set[Any] = set()  # partitions sought back in this fetch: skip the rest
            async for tp, message in super().getmany(timeout):
                if tp in reread:
                    continue
                last = self._read_offset[tp]
                if (last is not None and message.offset > last + 1
                        and self.app.topics.acks_enabled_for(message.topic)
                        and self._rereads[(tp, last)] < MAX_REREADS):
                    # A record fetched before the last seek: read from where we were
                    # (record ``last`` may come again; handling drops the repeat).
                    self._rereads[(tp, last)] += 1
                    reread.add(tp)
                    log.warning("%s: record %d after %d; reading from %d again", tp,
                                message.offset, last, last)
                    await self.seek(tp, last)
                    continue
                yield tp, message

        def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
            return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    class Transport(driver.Transport):
        Consumer = QuickConsumer

    class App(faust.App):
        def _new_transport(self) -> Any:
            return Transport(self.conf.broker_consumer, self)

    return App(*args, **kwargs)
