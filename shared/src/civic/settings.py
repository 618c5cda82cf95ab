"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

import logging
import os
from typing import Any

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)


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

    def model_post_init(self, context: Any, /) -> None:
        # Each service reads only <SERVICE>_DATABASE_URL: a plain DATABASE_URL would point
        # every service at one database. Say so, rather than quietly using the default.
        prefix = str(self.model_config.get("env_prefix", ""))
        if (prefix and "database_url" in type(self).model_fields
                and "database_url" not in self.model_fields_set
                and os.environ.get("DATABASE_URL")):
            message = (f"DATABASE_URL is set but {prefix}DATABASE_URL is not; each service "
                       f"reads only its own variable, so set {prefix}DATABASE_URL")
            if self.is_production:
                raise ValueError(message)
            log.warning("%s (using the development default meanwhile)", message)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def base_url(self) -> str:
        return self.public_base_url or f"http://{self.host}:{self.port}"
