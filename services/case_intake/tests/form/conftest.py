import pytest

from case_intake.settings import Settings


@pytest.fixture
def database_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    """Pages do not depend on the database engine (storage runs on both elsewhere)."""
    return f"sqlite:///{tmp_path}/form.db"


@pytest.fixture
def settings(database_url: str) -> Settings:
    """CIVIC_ENV=dev, whatever the run's environment: the browser talks plain http to a
    loopback server, and staff cookies carry Secure everywhere but dev, so a browser
    would drop them (tests/staff_sessions checks that test and production set Secure)."""
    return Settings(database_url=database_url, kafka_bootstrap_servers="127.0.0.1:9",
                    apply_topics=False, run_relay=False, run_consumers=False, tune_gc=False,
                    environment="dev")
