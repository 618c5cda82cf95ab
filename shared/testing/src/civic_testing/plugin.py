"""The pytest plugin: every fixture the repository's tests share, and the bus scanner's
hooks (``civic_testing.bus_scanner``: the run fails if anything it put on the bus holds
personal data or free text).

Load it with ``pytest_plugins = ["civic_testing.plugin"]`` in the root ``conftest.py``.
"""

from civic_testing.browser import browser
from civic_testing.bus_scanner import (
    bus_scanner,
    pytest_runtest_logstart,
    pytest_sessionfinish,
    pytest_terminal_summary,
)
from civic_testing.fixtures import database_url, kafka_bootstrap, postgres_url

__all__ = ["browser", "bus_scanner", "database_url", "kafka_bootstrap", "postgres_url",
           "pytest_runtest_logstart", "pytest_sessionfinish", "pytest_terminal_summary"]
