"""The bus scanner: nothing a test run puts on the bus holds personal data or free text.

At the end of a run, before the broker stops, every message of every topic (changelogs
and dead-letter topics included) is read from the offset the topic had when the run
began to its end offset. Keys, values and headers are decoded (JSON where they parse,
text otherwise) and every string in them, dictionary keys included, is checked against
the rules below. A message that breaks one fails the run, naming the topic, partition,
offset, where in the message, the rule and the test that was running when it was
produced; the value itself is masked.

The rules (a marker, a UK phone number, an email address, a full UK postcode, a string
longer than 200 characters) are in :mod:`civic_testing.bus_rules`; the reading in
:mod:`civic_testing.bus_reading`. Tests that run a broker of their own scan it with
:func:`assert_bus_clean` before it stops.

Topics whose names start with ``__`` (the broker's own) are not read, nor is a topic
named with :data:`SELF_TEST_PREFIX`, which only the scanner's own test writes to.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterator
from typing import Any

import pytest

from civic_testing.bus_reading import (
    SELF_TEST_PREFIX,
    Offsets,
    ScanResult,
    end_offsets,
    scan_bus,
)
from civic_testing.bus_rules import Violation

__all__ = ["SELF_TEST_PREFIX", "BusScanner", "ScanResult", "assert_bus_clean", "bus_scanner",
           "end_offsets", "scan_bus"]


def assert_bus_clean(bootstrap_servers: str, *, since: Offsets | None = None) -> ScanResult:
    """For a test that runs a broker of its own: scan it before it stops, and fail the
    test on any violation."""
    result = scan_bus(bootstrap_servers, since=since)
    attribute(result.violations)
    if not result.clean:
        pytest.fail(result.report(), pytrace=False)
    return result


# When each test started (time.time(), node id), so a violation can name the test that
# was running when its message was produced. Filled by the plugin's runtest hook.
TIMELINE: list[tuple[float, str]] = []


def note_test_start(nodeid: str) -> None:
    TIMELINE.append((time.time(), nodeid))


def attribute(violations: list[Violation]) -> None:
    """Name, on each violation, the test that was running when it was produced."""
    starts = [at for at, _ in TIMELINE]
    for index, violation in enumerate(violations):
        if violation.timestamp_ms is None or not starts:
            continue
        at = bisect.bisect_right(starts, violation.timestamp_ms / 1000) - 1
        test = TIMELINE[at][1] if at >= 0 else "(before the first test)"
        violations[index] = Violation(**{**violation.__dict__, "test": test})


class BusScanner:
    """The run's scanner: each broker the run uses is scanned before it stops, and the
    run fails at its end if any scan found a violation."""

    def __init__(self) -> None:
        self.results: list[tuple[str, ScanResult]] = []
        self._since: dict[str, Offsets] = {}

    def watch(self, bootstrap_servers: str) -> None:
        """Remember where the broker's topics end now; only later messages are read."""
        self._since[bootstrap_servers] = end_offsets(bootstrap_servers)

    def scan(self, bootstrap_servers: str) -> ScanResult:
        try:
            result = scan_bus(bootstrap_servers, since=self._since.get(bootstrap_servers))
        except Exception as exc:  # a scan that cannot run must not pass quietly
            result = ScanResult(unfinished=[f"scan failed: {type(exc).__name__}: {exc}"])
        attribute(result.violations)
        self.results.append((bootstrap_servers, result))
        return result

    @property
    def clean(self) -> bool:
        return all(result.clean for _, result in self.results)

    def report(self) -> str:
        return "\n".join(f"{servers}: {result.report()}" for servers, result in self.results)


SCANNER_KEY = pytest.StashKey[BusScanner]()


@pytest.fixture(scope="session", autouse=True)
def bus_scanner(pytestconfig: pytest.Config) -> Iterator[BusScanner]:
    """The run's scanner. ``kafka_bootstrap`` hands it its broker; at the end of the run
    any violation fails the run (here, and in ``pytest_sessionfinish`` as well)."""
    scanner = BusScanner()
    pytestconfig.stash[SCANNER_KEY] = scanner
    yield scanner
    if not scanner.clean:
        pytest.fail("personal data or free text on the bus:\n" + scanner.report(),
                    pytrace=False)


def pytest_runtest_logstart(nodeid: str, location: object) -> None:
    note_test_start(nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    scanner = session.config.stash.get(SCANNER_KEY, None)
    if scanner is not None and not scanner.clean and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    scanner = terminalreporter.config.stash.get(SCANNER_KEY, None)
    if scanner is not None and scanner.results:
        terminalreporter.write_sep("-", "bus scanner")
        terminalreporter.write_line(scanner.report())
