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

    required_in_production = ("kafka_bootstrap_servers", "database_url")

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
