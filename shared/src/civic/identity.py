"""What names a service everywhere it shows: metrics, logs, its database schema, the
CloudEvents it publishes and its API documentation. Each service declares one
``ServiceIdentity`` in its package's ``__init__``; nothing else spells these out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceIdentity:
    name: str  # snake_case: metric prefix civic_<name>, database schema, log prefix
    title: str  # for people: the API docs' title
    version: str
    event_source: str  # the CloudEvents `source` of every event the service publishes
    summary: str = ""
    description: str = ""

    @property
    def client_id(self) -> str:
        """How the service introduces itself to Kafka."""
        return self.name.replace("_", "-")
