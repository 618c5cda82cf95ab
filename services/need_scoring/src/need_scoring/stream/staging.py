"""What a batch holds back until its outputs are acknowledged.

- ``StagedTable``: batch writes to a faust table. Every assignment to a faust table sends
  a changelog message, so a bucket that a batch touches 40 times is written once, at the
  end.
- ``StagedEventIds``: the batch's event ids, remembered once its outputs are acknowledged.
- ``publish_until_acknowledged``: sends a batch's outputs until the broker has them all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

from civic.contracts.envelope import KafkaRecord
from civic.kafka.handling import ProcessedEvents
from civic.kafka.metrics import KafkaMetrics

log = logging.getLogger(__name__)

_DELETED = object()


class StagedTable(MutableMapping[str, Any]):
    def __init__(self, table: MutableMapping[str, Any]) -> None:
        self._table = table
        self._staged: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        value = self._staged.get(key, None)
        if value is _DELETED:
            raise KeyError(key)
        if value is not None:
            return value
        return self._table[key]

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __setitem__(self, key: str, value: Any) -> None:
        self._staged[key] = value

    def __delitem__(self, key: str) -> None:
        self._staged[key] = _DELETED

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a staged table is for reads and writes by key only")

    def __len__(self) -> int:
        raise TypeError("a staged table is for reads and writes by key only")

    def flush(self) -> None:
        for key, value in self._staged.items():
            if value is _DELETED:
                self._table.pop(key, None)
            else:
                self._table[key] = value
        self._staged.clear()


class StagedEventIds:
    """Event ids handled in the current batch, remembered for good only once the batch's
    outputs are acknowledged: a batch cut short by a rebalance is redelivered and handled
    again, rather than skipped with its scores unpublished."""

    def __init__(self, remembered: ProcessedEvents) -> None:
        self._remembered = remembered
        self._staged: set[str] = set()

    def seen(self, event_id: str) -> bool:
        return event_id in self._staged or self._remembered.seen(event_id)

    def remember(self, event_id: str) -> None:
        self._staged.add(event_id)

    def start_batch(self) -> None:
        """Forget what an earlier batch staged but never confirmed (cut short)."""
        self._staged.clear()

    def confirm(self) -> None:
        for event_id in self._staged:
            self._remembered.remember(event_id)
        self._staged.clear()


async def publish_until_acknowledged(
        send: Callable[[KafkaRecord], Awaitable[Awaitable[Any]]],
        records: list[KafkaRecord], metrics: KafkaMetrics) -> None:
    """Send and wait for every acknowledgement, resending what failed, with backoff,
    for as long as it takes: an unacknowledged output must not be skipped. A ``send``
    that raises is a failure like a refused acknowledgement, never a reason to move on."""
    pending, delay = records, 0.2
    while pending:
        results: list[Any] = []
        for record in pending:
            try:
                results.append(await send(record))
            except Exception as exc:  # the producer refused it: not sent
                results.append(exc)
        waiting = [r for r in results if not isinstance(r, BaseException)]
        outcomes = iter(await asyncio.gather(*waiting, return_exceptions=True))
        results = [r if isinstance(r, BaseException) else next(outcomes) for r in results]
        failed = []
        for record, result in zip(pending, results, strict=True):
            if isinstance(result, BaseException):
                metrics.publish_failures.labels(record.topic).inc()
                failed.append(record)
            else:
                metrics.produced.labels(record.topic).inc()
        if failed:
            log.warning("%d of %d outputs not acknowledged; resending in %.1f s",
                        len(failed), len(pending), delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        pending = failed
