"""Partner notifications' settings: environment variables prefixed PARTNER_NOTIFICATIONS_."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

from pydantic import Field, IPvAnyAddress, model_validator
from pydantic_settings import SettingsConfigDict

from civic.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARTNER_NOTIFICATIONS_", extra="ignore")

    port: int = 8004
    database_url: str = Field(
        default="sqlite:///var/partner_notifications.db",
        description="SQLAlchemy URL; SQLite by default, postgresql+psycopg://… in production.")
    run_relay: bool = Field(default=True, description="Relay the outbox in the API process.")
    relay_poll_seconds: float = Field(
        default=0.05, gt=0, description="How often a separate relay process looks for events.")
    dev_allowed_addresses: list[IPvAnyAddress] = Field(
        default=[IPv4Address("127.0.0.1"), IPv6Address("::1")],
        description="Addresses a webhook may reach although they are refused (the demo "
        "partner in make dev, test receivers). Must be empty in production.")
    connect_timeout_s: float = Field(default=5.0, gt=0, le=30,
                                     description="Connecting to a partner's endpoint.")
    total_timeout_s: float = Field(default=15.0, gt=0, le=60,
                                   description="A whole delivery attempt, connection included.")

    intake_base_url: str = Field(
        default="http://127.0.0.1:8001", description="Case intake, where partners claim "
        "cases: each case webhook carries its claim URL there.")
    retry_schedule_s: list[float] = Field(
        default=[0, 5, 300, 1800, 7200, 18000, 36000, 36000], min_length=1, max_length=20,
        description="Wait before each attempt (the first: 0, at once), with 10% jitter; "
        "after the last, a dead letter. The default is Standard Webhooks' (Svix's).")
    per_endpoint_concurrency: int = Field(default=4, ge=1, le=64, description=(
        "Attempts in flight at once to one endpoint, per worker process."))
    delivery_batch: int = Field(default=50, ge=1, le=1000,
                                description="Deliveries a worker takes at a time.")
    auto_disable_after_hours: float = Field(
        default=120, gt=0, description="An endpoint failing every attempt for this long is "
        "disabled, and ops are told (partners.deliveries).")
    circuit_threshold: int = Field(default=5, ge=1, description=(
        "Failures in a row that open an endpoint's circuit (its attempts pause)."))
    circuit_cooldown_s: float = Field(default=60, gt=0, description=(
        "The first pause; each failed trial doubles it."))
    circuit_max_cooldown_s: float = Field(default=3600, gt=0)
    delivery_log_retention_days: float = Field(
        default=30, gt=0, description="Attempts, and finished deliveries, older than this "
        "are deleted.")
    run_worker: bool = Field(default=True, description="Send webhooks from this process.")
    run_consumers: bool = Field(default=True, description=(
        "Match events from the bus to subscriptions (off only in API tests)."))
    consumer_group: str = Field(
        default="partner_notifications", pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$",
        description="The Kafka consumer group; one per deployment of the service.")

    required_in_production = ("kafka_bootstrap_servers", "database_url", "intake_base_url")

    secret_overlap_hours: float = Field(
        default=24, ge=0, le=24 * 30, description="How long a rotated-out signing secret "
        "keeps signing alongside the new one.")
    max_previous_secrets: int = Field(
        default=3, ge=1, le=3, description="Rotated-out secrets that may still sign; older "
        "ones stop at the next rotation (a request carries at most this many + 1).")

    @model_validator(mode="after")
    def _no_exceptions_in_production(self) -> Settings:
        if self.is_production and self.dev_allowed_addresses:
            raise ValueError(
                f"{self.env_name('dev_allowed_addresses')} must be empty in production (it lets "
                f"webhooks reach private and plain-http hosts): {self.dev_allowed_addresses}")
        return self
