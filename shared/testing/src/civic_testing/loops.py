"""Run a coroutine to the end from a synchronous test, whatever else the test run left
behind: faust's tests leave an event loop running in the main thread, where
``asyncio.run`` would refuse, so the coroutine gets a thread and a loop of its own."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
