"""QR events' settings: environment variables prefixed QR_EVENTS_."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from civic.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="QR_EVENTS_", extra="ignore")

    port: int = 8003
    database_url: str = Field(
        default="sqlite:///var/qr_events.db",
        description="SQLAlchemy URL; SQLite by default, postgresql+psycopg://… in production.")
    public_base_url: str | None = Field(
        default=None, description="Where residents reach this service: the short links printed "
        "on paper start with it, so production must name it (e.g. https://qr.camden.gov.uk).")
    intake_form_url: str = Field(
        default="http://127.0.0.1:8001/request-help",
        description="Case intake's form; a code pointing there adds `source=qr-<code>`.")
    allowed_destination_domains: list[str] = Field(
        default=["camden.gov.uk"],
        description="A code may point only at these domains and their subdomains (https), "
        "or at the intake form: a fake sticker must not be able to borrow the council's name.")
    council_name: str = "London Borough of Camden"
    helpline_phone: str = Field(default="020 7974 4444",
                                description="Printed on every dead-end page.")
    code_length: int = Field(default=7, ge=6, le=8,
                             description="Characters in a new code, its check character included.")
    scan_flush_interval_s: float = Field(
        default=0.2, gt=0, le=60,
        description="How often buffered scans are written to the database (and its outbox).")
    scan_buffer_max: int = Field(
        default=1000, ge=1, description="Scans held in memory before a redirect waits for a "
        "write; so a hard crash loses at most this many.")
    scan_retention_days: int = Field(
        default=30, ge=1, description="Raw scan records are deleted after this; daily "
        "aggregates are kept.")
    repeat_window_s: int = Field(default=3600, ge=60,
                                 description="A device's repeat scans of a code within this "
                                 "count once.")
    tune_gc: bool = Field(default=True,
                          description="Tune the garbage collector for a long-running server.")
    fast_path: bool = Field(default=True, description="Answer /q/{code} in front of the app's "
                            "routing and middleware (see scans/fast_path.py).")
    run_relay: bool = Field(default=True, description="Relay the outbox in the API process.")
    relay_poll_seconds: float = Field(
        default=0.05, gt=0, description="How often a separate relay process looks for events.")
    consumer_group: str = Field(
        default="qr_events", pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$",
        description="The Kafka consumer group for conversions and erasures; one per "
        "deployment of the service.")
    run_consumers: bool = Field(
        default=True, description="Follow qr.codes and cases.submitted (off only in API tests).")

    required_in_production = ("kafka_bootstrap_servers", "database_url", "public_base_url",
                              "intake_form_url")

    @field_validator("allowed_destination_domains")
    @classmethod
    def _plain_domains(cls, value: list[str]) -> list[str]:
        cleaned = [d.strip().lower().lstrip(".") for d in value if d.strip()]
        for domain in cleaned:
            if "/" in domain or ":" in domain or "." not in domain:
                raise ValueError(f"QR_EVENTS_ALLOWED_DESTINATION_DOMAINS: {domain!r} is not a "
                                 "domain name (write camden.gov.uk, not a URL)")
        return cleaned
