"""The pytest plugin: every fixture the repository's tests share.

Load it with ``pytest_plugins = ["civic_testing.plugin"]`` in the root ``conftest.py``.
"""

from civic_testing.browser import browser
from civic_testing.fixtures import database_url, kafka_bootstrap, postgres_url

__all__ = ["browser", "database_url", "kafka_bootstrap", "postgres_url"]
