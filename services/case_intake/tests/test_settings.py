"""Settings come from the environment. Each service reads only its own database URL."""

from __future__ import annotations

import pytest

from case_intake.settings import DEV_PSEUDONYM_SECRET, Settings


def test_database_url_only_from_the_service_prefix(monkeypatch):
    """A plain DATABASE_URL would point every service at one database, so it is never
    read (seen to fail when the alias was put back), and production refuses to start
    while it is set without the service's own variable."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://plain/db")
    assert Settings().database_url == "sqlite:///var/case_intake.db"
    monkeypatch.setenv("CIVIC_ENV", "production")
    with pytest.raises(ValueError, match="set CASE_INTAKE_DATABASE_URL"):
        Settings()
    _production_secrets(monkeypatch)
    monkeypatch.setenv("CASE_INTAKE_DATABASE_URL", "sqlite:///prefixed.db")
    assert Settings().database_url == "sqlite:///prefixed.db"


def _production_secrets(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("CASE_INTAKE_PSEUDONYM_SECRET", "a-long-random-production-secret-value-0001")
    monkeypatch.setenv("CASE_INTAKE_SESSION_SECRET", "another-long-random-production-secret-0002")


def test_kafka_bootstrap_servers_is_read_without_a_prefix(monkeypatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    assert Settings().kafka_bootstrap_servers == "kafka:9092"


def test_production_refuses_the_development_pseudonym_secret(monkeypatch):
    monkeypatch.setenv("CIVIC_ENV", "production")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("CASE_INTAKE_DATABASE_URL", "postgresql+psycopg://svc:pw@db/intake")
    monkeypatch.setenv("CASE_INTAKE_SESSION_SECRET", "another-long-random-production-secret-0002")
    with pytest.raises(ValueError, match="CASE_INTAKE_PSEUDONYM_SECRET must be set"):
        Settings().check_production_ready()
    monkeypatch.setenv("CASE_INTAKE_PSEUDONYM_SECRET", DEV_PSEUDONYM_SECRET)  # given, but known
    with pytest.raises(ValueError, match="CASE_INTAKE_PSEUDONYM_SECRET must be set"):
        Settings()
    monkeypatch.setenv("CASE_INTAKE_PSEUDONYM_SECRET", "a-long-random-production-secret-value-0001")
    Settings().check_production_ready()


def test_a_service_url_given_counts_the_env_file_is_not_read_and_no_url_is_logged(
        monkeypatch, tmp_path, caplog):
    """Seen to fail when the check looked only at the process environment (a URL given
    to the settings directly was missed and production refused to start), and when the
    warning quoted the plain URL with its password. The .env in the working folder
    holds the compose stack's secrets, which settings never read."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "CASE_INTAKE_PSEUDONYM_SECRET=from-the-compose-env-file-never-read-0001\n")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://plain:hunter2@db/shared")
    monkeypatch.setenv("CIVIC_ENV", "production")
    _production_secrets(monkeypatch)
    own = Settings(database_url="postgresql+psycopg://svc:s3cret@db/intake")
    assert own.database_url.endswith("@db/intake")
    assert "compose" not in own.pseudonym_secret.get_secret_value()
    monkeypatch.setenv("CIVIC_ENV", "dev")
    with caplog.at_level("WARNING"):
        assert Settings().database_url == "sqlite:///var/case_intake.db"
    assert "set CASE_INTAKE_DATABASE_URL" in caplog.text
    assert "hunter2" not in caplog.text and "s3cret" not in caplog.text


def test_need_scoring_s_address_without_its_key_stops_the_service_in_every_environment(
        monkeypatch):
    """Overrides would fail on every click; say so at start. Empty (compose's ${VAR:-})
    counts as not given."""
    monkeypatch.setenv("CASE_INTAKE_NEED_SCORING_URL", "http://need_scoring:8002")
    monkeypatch.setenv("CASE_INTAKE_NEED_SCORING_API_KEY", "")
    with pytest.raises(ValueError, match="CASE_INTAKE_NEED_SCORING_API_KEY must be set"):
        Settings(environment="dev").check_production_ready()
    monkeypatch.setenv("CASE_INTAKE_NEED_SCORING_URL", "")
    assert Settings(environment="dev").need_scoring_url is None
