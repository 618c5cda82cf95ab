"""civic.process.taking_turns: every item, in order, with the interpreter given up
after each ``every`` of them (the effect on redirect latency is in make bench).

Mutation seen to fail: sleeping only after the whole batch."""

from __future__ import annotations

import pytest

from civic import process


def test_every_item_in_order_with_a_turn_after_each_twenty(
        monkeypatch: pytest.MonkeyPatch) -> None:
    turns: list[int] = []
    seen: list[int] = []
    monkeypatch.setattr(process.time, "sleep", lambda seconds: turns.append(len(seen)))
    for item in process.taking_turns(range(45)):
        seen.append(item)
    assert seen == list(range(45))
    assert turns == [20, 40]  # after the 20th and the 40th item, each with 0 s asked
