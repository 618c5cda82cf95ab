"""Case intake's settings: environment variables prefixed CASE_INTAKE_."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from civic.settings import ServiceSettings

DEV_PSEUDONYM_SECRET = "dev-only-pseudonym-secret-change-me-0000"
PRODUCTION_SECRET_LENGTH = 32  # e.g. secrets.token_urlsafe(32) gives 43 characters


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CASE_INTAKE_", extra="ignore")

    port: int = 8001
    database_url: str = Field(
        default="sqlite:///var/case_intake.db",
        description="SQLAlchemy URL; SQLite by default, postgresql+psycopg://… in production.")
    pseudonym_secret: SecretStr = Field(
        default=SecretStr(DEV_PSEUDONYM_SECRET),
        description="HMAC key for resident pseudonyms. Rotating it breaks linking of "
        "earlier contacts, so keep it in a secret store.",
    )
    terms_version: str = "2026-10"
    council_name: str = "London Borough of Camden"
    tune_gc: bool = Field(default=True,
                          description="Tune the garbage collector for a long-running server.")
    run_relay: bool = Field(default=True, description="Relay the outbox in the API process.")
    relay_poll_seconds: float = Field(
        default=0.05, gt=0, description="How often a separate relay process looks for events.")
    contact_lookback_days: int = 365

    required_in_production = ("kafka_bootstrap_servers", "database_url", "pseudonym_secret")

    def check_production_ready(self) -> None:
        super().check_production_ready()
        secret = self.pseudonym_secret.get_secret_value()
        if self.is_production and secret == DEV_PSEUDONYM_SECRET:
            raise ValueError("CASE_INTAKE_PSEUDONYM_SECRET must be set in production")
        if self.is_production and len(secret) < PRODUCTION_SECRET_LENGTH:
            raise ValueError(f"CASE_INTAKE_PSEUDONYM_SECRET must be at least "
                             f"{PRODUCTION_SECRET_LENGTH} characters in production")
