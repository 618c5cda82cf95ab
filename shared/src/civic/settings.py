"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any, ClassVar, TypeVar

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

ENVIRONMENTS = ("dev", "test", "production")
# Fields read from a variable without the service's prefix.
UNPREFIXED = {"kafka_bootstrap_servers": "KAFKA_BOOTSTRAP_SERVERS", "environment": "CIVIC_ENV"}
S = TypeVar("S", bound="ServiceSettings")
PLACEHOLDER = "replace-me"  # how compose.env.example marks what must be replaced


class ServiceSettings(BaseSettings):
    # Only the process environment: a .env file in the working folder holds the compose
    # stack's production secrets (docker-compose.yml), which must not leak into dev runs.
    model_config = SettingsConfigDict(extra="ignore")

    kafka_bootstrap_servers: str | None = Field(
        default=None,
        validation_alias=AliasChoices("kafka_bootstrap_servers", "KAFKA_BOOTSTRAP_SERVERS"),
        description="Unset: the embedded development broker is started (never in production).",
    )
    environment: str = Field(
        default="dev", validation_alias=AliasChoices("environment", "CIVIC_ENV"),
        description="dev, test or production. Anything else refuses to start: an unknown "
        "environment must never run with development defaults.")
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str | None = None
    log_level: str = "INFO"
    max_body_bytes: int = 64 * 1024
    apply_topics: bool = Field(default=True,
                               description="Create missing topics from infra/topics.yaml at start.")

    # What production must be given explicitly, by field name; services add their own.
    required_in_production: ClassVar[tuple[str, ...]] = ("kafka_bootstrap_servers",)

    @field_validator("environment")
    @classmethod
    def _known_environment(cls, value: str) -> str:
        if value not in ENVIRONMENTS:
            raise ValueError(f"CIVIC_ENV must be dev, test or production, not {value!r}")
        return value

    def env_name(self, field: str) -> str:
        return UNPREFIXED.get(field) or (
            str(self.model_config.get("env_prefix", "")) + field).upper()

    def check_production_ready(self) -> None:
        """In production, refuse to start without every setting production needs."""
        if not self.is_production:
            return
        missing = [self.env_name(f) for f in self.required_in_production if not self._given(f)]
        if missing:
            raise ValueError(", ".join(missing) + " must be set in production")
        placeholders = [self.env_name(f) for f in self.required_in_production
                        if self._value(f).startswith(PLACEHOLDER)]
        if placeholders:
            raise ValueError(", ".join(placeholders) + " still hold the example file's "
                             "placeholder; give each a real value")

    def _value(self, field: str) -> str:
        value = getattr(self, field)
        return str(value.get_secret_value() if isinstance(value, SecretStr) else value or "")

    def _given(self, field: str) -> bool:
        return field in self.model_fields_set and bool(self._value(field).strip())

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
        self.check_production_ready()

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def base_url(self) -> str:
        return self.public_base_url or f"http://{self.host}:{self.port}"


def load_settings(cls: type[S], program: str) -> S:
    """The settings, or a one-line refusal naming what is wrong and exit status 2."""
    try:
        return cls()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError too
        print(f"{program}: refusing to start: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
