"""The consumer's defences against faust losing a record in a rebalance
(``stream/transport.py``), on the consumer object itself: no broker is needed to show
what it commits and where it reads from. The two-worker kill test shows them on the real
broker. Seen to fail with each defence taken out: the check at the committed offset, the
offset expected after a seek, and the pass after the rereads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from faust.transport.drivers.aiokafka import Consumer
from faust.types import TP

from civic_testing import run_coroutine
from need_scoring.stream.transport import MAX_REREADS, app_with_fetch_wait

CASES = TP("cases.submitted", 0)


@dataclass
class Record:
    topic: str
    offset: int


@pytest.fixture
def consumer(monkeypatch: pytest.MonkeyPatch) -> Any:
    app = app_with_fetch_wait(100, "test-transport", broker="kafka://127.0.0.1:1",
                              store="memory://", web_enabled=False, autodiscover=False)
    consumer = app.consumer
    # as for the scoring agent's input topics (acknowledged, so committed by faust)
    monkeypatch.setattr(app.topics, "acks_enabled_for", lambda topic: True)
    consumer._expected.clear()
    consumer._rereads.clear()
    sought: list[int] = []

    async def seek(self: Any, tp: TP, offset: int) -> None:
        sought.append(offset)
    monkeypatch.setattr(Consumer, "seek", seek)
    consumer.sought = sought
    return consumer


def fetched(consumer: Any, monkeypatch: pytest.MonkeyPatch, offsets: list[int]) -> list[int]:
    async def getmany(self: Any, timeout: float) -> AsyncIterator[tuple[TP, Record]]:
        for offset in offsets:
            yield CASES, Record(CASES.topic, offset)
    monkeypatch.setattr(Consumer, "getmany", getmany)

    async def read() -> list[int]:
        return [message.offset async for _tp, message in consumer.getmany(1.0)]
    return run_coroutine(read())


def test_a_commit_never_passes_the_record_at_the_committed_offset(consumer: Any) -> None:
    consumer._committed_offset[CASES] = 10
    consumer._acked[CASES] = [11, 12]  # 10 is not acknowledged
    assert Consumer._new_offset(consumer, CASES) == 13, "faust's own check commits past 10"
    consumer._acked[CASES] = [11, 12]
    assert consumer._new_offset(CASES) is None
    consumer._acked[CASES] = [10, 11, 12]
    assert consumer._new_offset(CASES) == 13


def test_a_record_missing_after_a_seek_is_read_again(consumer: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """faust, after seeking to 10, takes 10 as read and 11 as next in order."""
    run_coroutine(consumer.seek(CASES, 10))
    assert fetched(consumer, monkeypatch, [11, 12]) == []
    assert consumer.sought == [10, 10]
    assert fetched(consumer, monkeypatch, [10, 11, 12]) == [10, 11, 12]
    assert consumer._expected[CASES] == 13


def test_an_offset_that_never_comes_is_passed_after_the_rereads(
        consumer: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real hole in the log: read again MAX_REREADS times, then counted as done, so
    commits move on rather than stop for good."""
    consumer._committed_offset[CASES] = 10
    run_coroutine(consumer.seek(CASES, 10))
    for _ in range(MAX_REREADS):
        assert fetched(consumer, monkeypatch, [11]) == []
    assert fetched(consumer, monkeypatch, [11]) == [11]
    consumer._acked[CASES].append(11)
    consumer._acked_index[CASES].add(11)
    assert consumer._new_offset(CASES) == 12
