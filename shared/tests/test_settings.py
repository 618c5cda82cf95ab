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
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    assert ExampleSettings().database_url.endswith("/example")


@pytest.mark.parametrize("environment", ["staging", "prod", "development", "Production", ""])
def test_an_unknown_environment_refuses_to_start(monkeypatch, environment):
    """Only the exact string "production" once counted, so "prod" or "staging" ran with
    the development defaults; seen to fail that way without the check."""
    monkeypatch.setenv("CIVIC_ENV", environment)
    with pytest.raises(ValueError, match="CIVIC_ENV must be dev, test or production"):
        ExampleSettings()


def test_production_names_every_setting_it_lacks(monkeypatch):
    monkeypatch.setenv("CIVIC_ENV", "production")
    with pytest.raises(ValueError, match="KAFKA_BOOTSTRAP_SERVERS must be set in production"):
        ExampleSettings()
    for environment in ("dev", "test"):
        monkeypatch.setenv("CIVIC_ENV", environment)
        assert ExampleSettings().kafka_bootstrap_servers is None


def test_kafka_and_the_environment_are_read_without_a_prefix(monkeypatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("CIVIC_ENV", "production")
    settings = ExampleSettings()
    assert settings.kafka_bootstrap_servers == "kafka:9092" and settings.is_production
