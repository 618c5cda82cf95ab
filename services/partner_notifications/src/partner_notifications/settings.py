"""Partner notifications' settings: environment variables prefixed PARTNER_NOTIFICATIONS_."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from civic.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARTNER_NOTIFICATIONS_", extra="ignore")

    port: int = 8004
    dev_allowed_hosts: list[str] = Field(
        default=["127.0.0.1", "localhost", "::1"],
        description="Hosts a webhook may reach although they are private or plain http: the "
        "demo partner in make dev and test receivers. Must be empty in production.")
    connect_timeout_s: float = Field(default=5.0, gt=0, le=30,
                                     description="Connecting to a partner's endpoint.")
    total_timeout_s: float = Field(default=15.0, gt=0, le=60,
                                   description="A whole delivery attempt, connection included.")

    @model_validator(mode="after")
    def _no_exceptions_in_production(self) -> Settings:
        if self.is_production and self.dev_allowed_hosts:
            raise ValueError(
                f"{self.env_name('dev_allowed_hosts')} must be empty in production (it lets "
                f"webhooks reach private and plain-http hosts): {self.dev_allowed_hosts}")
        return self
