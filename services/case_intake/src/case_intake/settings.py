"""Case intake's settings: environment variables prefixed CASE_INTAKE_."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from civic.settings import ServiceSettings

DEV_PSEUDONYM_SECRET = "dev-only-pseudonym-secret-change-me-0000"
DEV_SESSION_SECRET = "dev-only-staff-session-secret-change-me-0"
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
    run_consumers: bool = Field(
        default=True, description="Follow partners.directory, where partner keys and their "
        "coverage come from, and keep the score read model from cases.scored (off only in "
        "API tests).")
    consumer_group: str = Field(
        default="case_intake", description="The consumer group reading cases.scored.")
    relay_poll_seconds: float = Field(
        default=0.05, gt=0, description="How often a separate relay process looks for events.")
    contact_lookback_days: int = 365
    idempotency_ttl_s: float = Field(
        default=24 * 3600, gt=0,
        description="How long a request's Idempotency-Key replays its first answer; after "
        "that a repeat files a new case. Records are sealed under a key derived from the "
        "pseudonym secret, so rotating that secret ends them early too.")
    partner_claim_cap: int = Field(
        default=25, ge=1, description="How many cases one partner may hold at once (claimed "
        "or in progress); a claim over it is refused with 429.")
    session_secret: SecretStr = Field(
        default=SecretStr(DEV_SESSION_SECRET),
        description="HMAC key that signs staff session cookies and CSRF tokens. Rotating "
        "it signs every member of staff out.")
    session_idle_minutes: float = Field(
        default=30, gt=0, description="A staff session unused this long ends.")
    session_absolute_hours: float = Field(
        default=12, gt=0, description="A staff session this old ends, however busy.")

    live_refresh_seconds: float = Field(
        default=5, ge=1, le=300, description="How often the staff queue and the partner "
        "board refresh themselves with JavaScript on (they work without it).")
    need_scoring_url: str | None = Field(
        default=None, description="Need scoring's base URL: the case page sends staff band "
        "overrides there. Unset: the page says overrides are not set up here.")
    need_scoring_api_key: SecretStr | None = Field(
        default=None, description="A staff key need scoring knows and lists in "
        "NEED_SCORING_DELEGATING_CALLERS, so overrides are recorded as the signed-in "
        "member of staff's. Required when need_scoring_url is set.")

    @field_validator("need_scoring_url", "need_scoring_api_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # compose passes ${VAR:-}: an empty value means the setting was not given
        return None if value == "" else value

    required_in_production = ("kafka_bootstrap_servers", "database_url", "pseudonym_secret",
                              "session_secret")

    @property
    def secure_cookies(self) -> bool:
        """Staff cookies carry Secure everywhere but dev. ``test`` counts as deployed (it
        sits behind TLS like production); tests that drive a browser over plain http on
        localhost run their server with CIVIC_ENV=dev."""
        return self.environment not in ("dev",)

    def check_production_ready(self) -> None:
        super().check_production_ready()
        secret = self.pseudonym_secret.get_secret_value()
        if self.is_production and secret == DEV_PSEUDONYM_SECRET:
            raise ValueError("CASE_INTAKE_PSEUDONYM_SECRET must be set in production")
        if self.is_production and len(secret) < PRODUCTION_SECRET_LENGTH:
            raise ValueError(f"CASE_INTAKE_PSEUDONYM_SECRET must be at least "
                             f"{PRODUCTION_SECRET_LENGTH} characters in production")
        session = self.session_secret.get_secret_value()
        if self.is_production and session == DEV_SESSION_SECRET:
            raise ValueError("CASE_INTAKE_SESSION_SECRET must be set in production")
        if self.is_production and len(session) < PRODUCTION_SECRET_LENGTH:
            raise ValueError(f"CASE_INTAKE_SESSION_SECRET must be at least "
                             f"{PRODUCTION_SECRET_LENGTH} characters in production")
        if self.need_scoring_url and self.need_scoring_api_key is None:
            raise ValueError("CASE_INTAKE_NEED_SCORING_API_KEY must be set when "
                             "CASE_INTAKE_NEED_SCORING_URL is")
        if self.is_production and session == secret:
            raise ValueError("CASE_INTAKE_SESSION_SECRET must differ from "
                             "CASE_INTAKE_PSEUDONYM_SECRET")
