"""Need scoring's settings: environment variables prefixed NEED_SCORING_."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from civic.settings import ServiceSettings

POLICIES = Path(__file__).resolve().parents[2] / "policies"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NEED_SCORING_", extra="ignore")

    port: int = 8002
    database_url: str = Field(
        default="sqlite:///var/need_scoring.db",
        description="API keys, band overrides and the audit log.")
    policy_file: Path = Field(
        default=POLICIES / "need-2026.11.yaml",
        description="The active scoring policy. A new version rescores by replay: its "
        "consumer group (need-scoring.<version>) starts from the oldest retained case.")
    transparency_file: Path = Field(
        default=POLICIES / "transparency.yaml",
        description="The council's own words for the transparency record.")
    suppression_k: int = Field(default=10, ge=2,
                               description="Counts below this are never published or served.")
    area_publish_seconds: float = Field(
        default=10.0, gt=0, description="How often the area timer checks whether a "
        "snapshot of area need is due, and resends figures the broker has not "
        "acknowledged. Never more than the publication interval.")
    area_publish_interval_s: float = Field(
        default=3600.0, gt=0, description="Area need is published on this fixed "
        "schedule (at multiples of the interval: on the hour for an hour), not on every "
        "change; the map and the API serve the last snapshot. Development and tests use "
        "a few seconds.")
    handler_attempts: int = Field(
        default=3, ge=1, le=10, description="Tries at one event before it goes to the "
        "dead-letter topic. Retries do not wait: handling is in-memory work.")
    batch_size: int = Field(default=1000, ge=1, description="Events scored per batch.")
    batch_wait_seconds: float = Field(default=0.05, gt=0,
                                      description="Longest wait to fill a batch.")
    producer_linger_ms: int = Field(
        default=5, ge=0, description="How long the producer gathers records into one "
        "request: a few milliseconds of latency buys far fewer requests per case.")
    fetch_max_wait_ms: int = Field(
        default=100, ge=1, le=1500, description="Longest a fetch waits for records. The "
        "embedded broker always waits this long, so it bounds latency there.")
    rebalance_timeout_seconds: float | None = Field(
        default=None, gt=0, description="faust broker_rebalance_timeout. Unset: 4 s in "
        "development and test, where the embedded broker holds a JoinGroup for about half "
        "of it (DESIGN.md); faust's default of 60 s in production.")
    data_dir: Path = Field(default=Path("var/need_scoring"),
                           description="faust's working directory (tables are in memory "
                           "and rebuilt from their changelog topics).")
    override_wait_seconds: float = Field(
        default=10.0, gt=0, le=60, description="How long a band override request waits "
        "for the worker that owns the case to apply it before answering 503 (it is "
        "then applied when that worker is back).")
    standby_replicas: int = Field(
        default=1, ge=0, description="Standby copies of each case-table partition kept "
        "by other workers (faust table_standby_replicas). Each worker answers score reads "
        "from its own copy, so run it at workers - 1.")
    council_name: str = "London Borough of Camden"
    service_url: str | None = Field(default=None,
                                    description="Public address, for the transparency record.")
    delegating_callers: frozenset[str] = Field(
        default=frozenset(), description="Names of the staff keys that may relay a band "
        "override for a named member of staff (Civic-Acting-For): case intake's, so its "
        "case page records decisions as the staff member's own. Empty: none may.")

    required_in_production = ("kafka_bootstrap_servers", "database_url")

    @model_validator(mode="after")
    def _check_at_least_once_per_interval(self) -> Settings:
        self.area_publish_seconds = min(self.area_publish_seconds,
                                        self.area_publish_interval_s)
        return self

    def group_timeouts(self) -> dict[str, float]:
        """faust consumer-group settings for this environment."""
        if self.is_production:
            return {"broker_rebalance_timeout": self.rebalance_timeout_seconds or 60.0}
        return {"broker_rebalance_timeout": self.rebalance_timeout_seconds or 4.0,
                "broker_session_timeout": 2.0, "broker_heartbeat_interval": 0.5}
