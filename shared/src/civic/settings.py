"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", env_file=".env", env_file_encoding="utf-8")

    kafka_bootstrap_servers: str | None = Field(
        default=None,
        validation_alias=AliasChoices("kafka_bootstrap_servers", "KAFKA_BOOTSTRAP_SERVERS"),
        description="Unset: the embedded development broker is started (never in production).",
    )
    environment: str = Field(default="development",
                             validation_alias=AliasChoices("environment", "CIVIC_ENV"))
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str | None = None
    log_level: str = "INFO"
    max_body_bytes: int = 64 * 1024
    apply_topics: bool = Field(default=True,
                               description="Create missing topics from infra/topics.yaml at start.")

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def base_url(self) -> str:
        return self.public_base_url or f"http://{self.host}:{self.port}"
