"""Partner notifications' settings: environment variables prefixed PARTNER_NOTIFICATIONS_."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

from pydantic import Field, IPvAnyAddress, model_validator
from pydantic_settings import SettingsConfigDict

from civic.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARTNER_NOTIFICATIONS_", extra="ignore")

    port: int = 8004
    dev_allowed_addresses: list[IPvAnyAddress] = Field(
        default=[IPv4Address("127.0.0.1"), IPv6Address("::1")],
        description="Addresses a webhook may reach although they are refused (the demo "
        "partner in make dev, test receivers). Must be empty in production.")
    connect_timeout_s: float = Field(default=5.0, gt=0, le=30,
                                     description="Connecting to a partner's endpoint.")
    total_timeout_s: float = Field(default=15.0, gt=0, le=60,
                                   description="A whole delivery attempt, connection included.")

    @model_validator(mode="after")
    def _no_exceptions_in_production(self) -> Settings:
        if self.is_production and self.dev_allowed_addresses:
            raise ValueError(
                f"{self.env_name('dev_allowed_addresses')} must be empty in production (it lets "
                f"webhooks reach private and plain-http hosts): {self.dev_allowed_addresses}")
        return self
