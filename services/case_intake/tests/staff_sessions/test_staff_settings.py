"""The session secret is a production secret like the pseudonym secret: production
refuses to start without a real one, naming it; dev and test may use the dev default.
Staff cookies are Secure everywhere but dev.

Seen to fail with session_secret left out of required_in_production (production
started signing cookies with the secret committed in the repository)."""

from __future__ import annotations

import pytest

from case_intake.settings import DEV_SESSION_SECRET, Settings

PSEUDONYM = "a-long-random-production-secret-value-0001"
SESSION = "another-long-random-production-secret-0002"


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CASE_INTAKE_SESSION_SECRET", "CASE_INTAKE_SESSION_IDLE_MINUTES",
                 "CASE_INTAKE_SESSION_ABSOLUTE_HOURS", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIVIC_ENV", "production")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("CASE_INTAKE_DATABASE_URL", "postgresql+psycopg://svc:pw@db/intake")
    monkeypatch.setenv("CASE_INTAKE_PSEUDONYM_SECRET", PSEUDONYM)


@pytest.mark.parametrize(("secret", "refusal"), [
    (None, "CASE_INTAKE_SESSION_SECRET must be set in production"),
    ("", "CASE_INTAKE_SESSION_SECRET must be set in production"),
    (DEV_SESSION_SECRET, "CASE_INTAKE_SESSION_SECRET must be set in production"),
    ("replace-me-with-a-long-random-secret", "CASE_INTAKE_SESSION_SECRET still hold"),
    ("short-but-not-empty", "CASE_INTAKE_SESSION_SECRET must be at least 32 characters"),
    (PSEUDONYM, "CASE_INTAKE_SESSION_SECRET must differ from CASE_INTAKE_PSEUDONYM_SECRET"),
])
def test_production_refuses_a_missing_or_weak_session_secret(
        production: None, monkeypatch: pytest.MonkeyPatch, secret: str | None,
        refusal: str) -> None:
    if secret is not None:
        monkeypatch.setenv("CASE_INTAKE_SESSION_SECRET", secret)
    with pytest.raises(ValueError, match=refusal):
        Settings()
    monkeypatch.setenv("CASE_INTAKE_SESSION_SECRET", SESSION)
    assert Settings().session_secret.get_secret_value() == SESSION


@pytest.mark.parametrize("environment", ["dev", "test"])
def test_dev_and_test_may_use_the_dev_session_secret(monkeypatch: pytest.MonkeyPatch,
                                                     environment: str) -> None:
    monkeypatch.delenv("CASE_INTAKE_SESSION_SECRET", raising=False)
    monkeypatch.setenv("CIVIC_ENV", environment)
    assert Settings().session_secret.get_secret_value() == DEV_SESSION_SECRET


def test_timeouts_are_settings_and_must_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIVIC_ENV", raising=False)
    assert (Settings().session_idle_minutes, Settings().session_absolute_hours) == (30, 12)
    monkeypatch.setenv("CASE_INTAKE_SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("CASE_INTAKE_SESSION_ABSOLUTE_HOURS", "8")
    assert (Settings().session_idle_minutes, Settings().session_absolute_hours) == (5, 8)
    monkeypatch.setenv("CASE_INTAKE_SESSION_IDLE_MINUTES", "0")
    with pytest.raises(ValueError, match="session_idle_minutes"):
        Settings()


@pytest.mark.parametrize(("environment", "secure"),
                         [("dev", False), ("test", True), ("production", True)])
def test_staff_cookies_are_secure_everywhere_but_dev(production: None,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     environment: str, secure: bool) -> None:
    monkeypatch.setenv("CASE_INTAKE_SESSION_SECRET", SESSION)
    monkeypatch.setenv("CIVIC_ENV", environment)
    assert Settings().secure_cookies is secure
