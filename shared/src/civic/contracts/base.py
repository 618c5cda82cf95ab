"""The base every event payload shares.

An event type is a pydantic model with three class-level facts: its CloudEvents
``type`` (versioned, e.g. ``civic.case.submitted.v1``), the topic it travels on, and
the payload field whose value is the Kafka partition key. Payloads hold ids, pseudonyms,
area codes, categories and coarse facts only: personal data never leaves the service
that collected it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class EventPayload(BaseModel):
    """A versioned event payload. Unknown fields are rejected so a typo cannot smuggle
    free text onto the bus."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    topic: ClassVar[str]
    key_field: ClassVar[str]
    summary: ClassVar[str]

    def partition_key(self) -> str:
        return str(getattr(self, self.key_field))

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        schema = cls.model_json_schema(mode="serialization")
        schema["$id"] = f"https://civic-platform.example/schemas/{cls.event_type}.json"
        schema["title"] = cls.event_type
        schema["description"] = cls.summary
        return schema
