"""civic.settings: what every service's settings share. A plain DATABASE_URL is never
taken for a service's own, and production refuses to start while one is set alone."""

from __future__ import annotations

import pytest
from pydantic_settings import SettingsConfigDict

from civic.settings import ServiceSettings


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXAMPLE_", extra="ignore")

    database_url: str = "sqlite:///var/example.db"


def test_a_plain_database_url_is_refused_in_production_and_warned_of_elsewhere(
        monkeypatch, caplog):
    """Seen to fail with the check removed from ServiceSettings.model_post_init."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://all:secret@db/shared")
    with caplog.at_level("WARNING"):
        assert ExampleSettings().database_url == "sqlite:///var/example.db"
    assert "set EXAMPLE_DATABASE_URL" in caplog.text and "secret" not in caplog.text
    monkeypatch.setenv("CIVIC_ENV", "production")
    with pytest.raises(ValueError, match="EXAMPLE_DATABASE_URL"):
        ExampleSettings()
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql+psycopg://own@db/example")
    assert ExampleSettings().database_url.endswith("/example")


def test_kafka_and_the_environment_are_read_without_a_prefix(monkeypatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("CIVIC_ENV", "production")
    settings = ExampleSettings()
    assert settings.kafka_bootstrap_servers == "kafka:9092" and settings.is_production
