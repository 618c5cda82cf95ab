"""Fail closed: in production the development allow-list (which lets webhooks reach
private and plain-http hosts) must be emptied, and a missing broker or database stops
the service, each refusal naming the variable. Seen to fail with the production check
removed."""

from __future__ import annotations

import os
import subprocess
import sys
from ipaddress import ip_address
from pathlib import Path

import pytest

from partner_notifications.settings import Settings

PRODUCTION = {"CIVIC_ENV": "production", "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
              "PARTNER_NOTIFICATIONS_DATABASE_URL": "postgresql+psycopg://db/partners",
              "PARTNER_NOTIFICATIONS_INTAKE_BASE_URL": "https://help.camden.gov.uk"}


def _serve(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("PARTNER_NOTIFICATIONS_", "CIVIC_", "KAFKA_"))}
    return subprocess.run([sys.executable, "-m", "partner_notifications", "serve"],
                          env={**clean, **env}, cwd=cwd, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize(("env", "named"), [
    (PRODUCTION, "PARTNER_NOTIFICATIONS_DEV_ALLOWED_ADDRESSES must be empty in production"),
    ({"CIVIC_ENV": "production", "PARTNER_NOTIFICATIONS_DEV_ALLOWED_ADDRESSES": "[]"},
     "KAFKA_BOOTSTRAP_SERVERS, PARTNER_NOTIFICATIONS_DATABASE_URL, "
     "PARTNER_NOTIFICATIONS_INTAKE_BASE_URL must be set in production"),
    ({"CIVIC_ENV": "staging"}, "CIVIC_ENV must be dev, test or production")])
def test_production_refuses_to_start_naming_the_setting(env: dict[str, str], named: str,
                                                        tmp_path: Path) -> None:
    result = _serve(env, tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "refusing to start" in result.stderr and named in result.stderr


def test_production_with_the_allow_list_emptied_is_accepted() -> None:
    settings = Settings(environment="production", kafka_bootstrap_servers="kafka:9092",
                        database_url="postgresql+psycopg://db/partners",
                        intake_base_url="https://help.camden.gov.uk", dev_allowed_addresses=[])
    assert settings.dev_allowed_addresses == []


def test_development_may_reach_the_local_demo_partner() -> None:
    assert ip_address("127.0.0.1") in Settings(environment="dev").dev_allowed_addresses


def test_the_keys_command_refuses_partner_keys(tmp_path: Path) -> None:
    """Partner keys go with their directory record: `keys revoke partner.x` here would
    stop the key here and nowhere else. Seen to fail with the refusal taken out."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PARTNER_NOTIFICATIONS_", "CIVIC_", "KAFKA_"))}
    env["PARTNER_NOTIFICATIONS_DATABASE_URL"] = f"sqlite:///{tmp_path}/keys.db"
    for args in (["revoke", "partner.foodbank"], ["create", "x", "--role", "partner"]):
        done = subprocess.run([sys.executable, "-m", "partner_notifications", "keys", *args],
                              env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and "/v1/partners/{id}/key" in done.stderr, done.stderr
