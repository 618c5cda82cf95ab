"""Settings come from the environment. Each service reads only its own database URL."""

from __future__ import annotations

import pytest

from case_intake.settings import Settings


def test_database_url_only_from_the_service_prefix(monkeypatch):
    """A plain DATABASE_URL would point every service at one database, so it is never
    read (seen to fail when the alias was put back), and production refuses to start
    while it is set without the service's own variable."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://plain/db")
    assert Settings().database_url == "sqlite:///var/case_intake.db"
    monkeypatch.setenv("CIVIC_ENV", "production")
    with pytest.raises(ValueError, match="set CASE_INTAKE_DATABASE_URL"):
        Settings()
    monkeypatch.setenv("CASE_INTAKE_DATABASE_URL", "sqlite:///prefixed.db")
    assert Settings().database_url == "sqlite:///prefixed.db"


def test_kafka_bootstrap_servers_is_read_without_a_prefix(monkeypatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    assert Settings().kafka_bootstrap_servers == "kafka:9092"


def test_production_refuses_the_development_pseudonym_secret(monkeypatch):
    monkeypatch.setenv("CIVIC_ENV", "production")
    with pytest.raises(ValueError, match="CASE_INTAKE_PSEUDONYM_SECRET must be set"):
        Settings().check_production_ready()
    monkeypatch.setenv("CASE_INTAKE_PSEUDONYM_SECRET", "a-long-random-production-secret-value")
    Settings().check_production_ready()
