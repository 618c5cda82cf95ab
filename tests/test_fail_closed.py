"""Outside development, a service refuses to start on an unknown environment or a
missing secret, with a message naming it, and dev keys are never seeded in production.

Seen to fail before CIVIC_ENV was checked: "staging" started case intake with the
pseudonym secret committed in the repository. The seeding refusal held before this
change too; its test guards it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SERVICES = ["case_intake", "need_scoring", "qr_events", "partner_notifications"]
# What QR events needs in production besides its database and broker: where residents
# reach it (the printed short links start with it) and case intake's form.
QR_LINKS = {"QR_EVENTS_PUBLIC_BASE_URL": "https://qr.camden.gov.uk",
            "QR_EVENTS_INTAKE_FORM_URL": "https://help.camden.gov.uk/request-help"}
QR_GIVEN = {"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
            "QR_EVENTS_DATABASE_URL": "postgresql+psycopg://u:p@db/qr", **QR_LINKS}
# Partner notifications' allow-list of private addresses must also be emptied; its own
# tests cover that refusal.
PARTNERS_GIVEN = {"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
                  "PARTNER_NOTIFICATIONS_DATABASE_URL": "postgresql+psycopg://u:p@db/partners",
                  "PARTNER_NOTIFICATIONS_INTAKE_BASE_URL": "https://help.camden.gov.uk",
                  "PARTNER_NOTIFICATIONS_DEV_ALLOWED_ADDRESSES": "[]"}


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("CASE_INTAKE_", "NEED_SCORING_", "QR_EVENTS_", "CIVIC_",
                                     "KAFKA_", "PARTNER_NOTIFICATIONS_"))
             and k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", *args], env={**clean, **env}, cwd=cwd,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("service", SERVICES)
def test_an_unknown_environment_is_refused_at_start(service: str, tmp_path: Path) -> None:
    result = _run([service, "serve"], {"CIVIC_ENV": "staging"}, tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "refusing to start" in result.stderr
    assert "CIVIC_ENV must be dev, test or production, not 'staging'" in result.stderr


@pytest.mark.parametrize(("service", "given", "missing"), [
    ("case_intake", {"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
                     "CASE_INTAKE_DATABASE_URL": "postgresql+psycopg://u:p@db/intake",
                     "CASE_INTAKE_SESSION_SECRET": "another-random-production-secret-of-40-chars"},
     "CASE_INTAKE_PSEUDONYM_SECRET"),
    ("case_intake", {"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
                     "CASE_INTAKE_PSEUDONYM_SECRET": "a-long-random-production-secret-of-40-chars",
                     "CASE_INTAKE_SESSION_SECRET": "another-random-production-secret-of-40-chars"},
     "CASE_INTAKE_DATABASE_URL"),
    ("case_intake", {"CASE_INTAKE_DATABASE_URL": "postgresql+psycopg://u:p@db/intake",
                     "CASE_INTAKE_PSEUDONYM_SECRET": "a-long-random-production-secret-of-40-chars",
                     "CASE_INTAKE_SESSION_SECRET": "another-random-production-secret-of-40-chars"},
     "KAFKA_BOOTSTRAP_SERVERS"),
    # staff session cookies are signed with their own secret
    ("case_intake", {"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
                     "CASE_INTAKE_DATABASE_URL": "postgresql+psycopg://u:p@db/intake",
                     "CASE_INTAKE_PSEUDONYM_SECRET": "a-long-random-production-secret-of-40-chars"},
     "CASE_INTAKE_SESSION_SECRET"),
    ("need_scoring", {"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092"}, "NEED_SCORING_DATABASE_URL"),
    # given, but empty: as unset
    ("need_scoring", {"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092", "NEED_SCORING_DATABASE_URL": ""},
     "NEED_SCORING_DATABASE_URL"),
    *[("qr_events", {k: v for k, v in QR_GIVEN.items() if k != missing}, missing)
      for missing in QR_GIVEN],
    # given, but blank: as unset
    ("qr_events", {**QR_GIVEN, "QR_EVENTS_PUBLIC_BASE_URL": "  "}, "QR_EVENTS_PUBLIC_BASE_URL"),
    *[("partner_notifications", {k: v for k, v in PARTNERS_GIVEN.items() if k != missing},
       missing) for missing in list(PARTNERS_GIVEN)[:3]],
])
def test_production_without_a_secret_is_refused_naming_it(service: str, given: dict[str, str],
                                                          missing: str, tmp_path: Path) -> None:
    result = _run([service, "serve"], {"CIVIC_ENV": "production", **given}, tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"{missing} must be set in production" in result.stderr


def test_qr_events_given_all_four_settings_gets_past_the_production_check(
        tmp_path: Path) -> None:
    """The control for QR events' refusals above: each is about the one setting left
    out, not about something else production lacks. (``migrate`` reads the same
    settings as ``serve`` without waiting on a broker.)"""
    env = {"CIVIC_ENV": "production", **QR_GIVEN,
           "QR_EVENTS_DATABASE_URL": f"sqlite:///{tmp_path}/qr_events.db"}
    result = _run(["qr_events", "migrate"], env, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "refusing to start" not in result.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_dev_keys_are_never_seeded_in_production(service: str, tmp_path: Path) -> None:
    prefix = service.upper()
    env = {"CIVIC_ENV": "production", "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",
           f"{prefix}_DATABASE_URL": f"sqlite:///{tmp_path}/{service}.db",
           "CASE_INTAKE_PSEUDONYM_SECRET": "a-long-random-production-secret-of-40-chars",
           "CASE_INTAKE_SESSION_SECRET": "another-random-production-secret-of-40-chars",
           "PARTNER_NOTIFICATIONS_DEV_ALLOWED_ADDRESSES": "[]",
           "PARTNER_NOTIFICATIONS_INTAKE_BASE_URL": "https://help.camden.gov.uk", **QR_LINKS}
    result = _run([service, "seed"], env, tmp_path)
    assert result.returncode == 1
    assert "refusing to" in (result.stdout + result.stderr)
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{tmp_path}/{service}.db")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM api_keys")).scalar() == 0
    finally:
        engine.dispose()


@pytest.mark.parametrize(("secret", "refusal"), [
    ("replace-me-with-a-long-random-secret-from-the-example-file",
     "CASE_INTAKE_PSEUDONYM_SECRET still hold the example file's placeholder"),
    ("short-but-not-empty", "CASE_INTAKE_PSEUDONYM_SECRET must be at least 32 characters"),
])
def test_a_placeholder_or_short_secret_is_refused(secret: str, refusal: str,
                                                  tmp_path: Path) -> None:
    """Seen to fail when copying .env.example unchanged, or a short secret, let
    production start (the short one failed later with a bare traceback)."""
    env = {"CIVIC_ENV": "production", "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
           "CASE_INTAKE_DATABASE_URL": "postgresql+psycopg://u:p@db/intake",
           "CASE_INTAKE_PSEUDONYM_SECRET": secret,
           "CASE_INTAKE_SESSION_SECRET": "another-random-production-secret-of-40-chars"}
    result = _run(["case_intake", "serve"], env, tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert refusal in result.stderr


@pytest.mark.parametrize(("secret", "refusal"), [
    ("replace-me-with-a-long-random-secret-from-the-example-file",
     "CASE_INTAKE_SESSION_SECRET still hold the example file's placeholder"),
    ("short-but-not-empty", "CASE_INTAKE_SESSION_SECRET must be at least 32 characters"),
    ("a-long-random-production-secret-of-40-chars",
     "CASE_INTAKE_SESSION_SECRET must differ from CASE_INTAKE_PSEUDONYM_SECRET"),
])
def test_a_placeholder_short_or_reused_session_secret_is_refused(secret: str, refusal: str,
                                                                 tmp_path: Path) -> None:
    """Seen to fail with session_secret left out of required_in_production and its
    checks: production signed staff cookies with the example file's placeholder."""
    env = {"CIVIC_ENV": "production", "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
           "CASE_INTAKE_DATABASE_URL": "postgresql+psycopg://u:p@db/intake",
           "CASE_INTAKE_PSEUDONYM_SECRET": "a-long-random-production-secret-of-40-chars",
           "CASE_INTAKE_SESSION_SECRET": secret}
    result = _run(["case_intake", "serve"], env, tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert refusal in result.stderr
