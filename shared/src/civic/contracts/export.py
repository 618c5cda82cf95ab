"""Generate the published contract files: a JSON Schema per event type and an
AsyncAPI 3 document of topics and messages.

The files are committed under ``shared/contracts/`` so partners and other councils can
read them without running anything; a test fails when they drift from the models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from civic.contracts.catalogue import EVENT_TYPES, types_on
from civic.kafka.topics import DLQ_SUFFIX, TopicRegistry

CE_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0, Kafka protocol binding, binary content mode.",
    "required": ["ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time", "content-type"],
    "properties": {
        "ce_id": {"type": "string", "description": "Unique per event; consumers dedupe on it."},
        "ce_source": {"type": "string", "examples": ["/civic/case-intake"]},
        "ce_type": {"type": "string"},
        "ce_specversion": {"const": "1.0"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "The partition key."},
        "content-type": {"const": "application/json"},
    },
}


def schemas() -> dict[str, dict[str, Any]]:
    return {t.event_type: t.json_schema() for t in EVENT_TYPES}


def _message_name(event_type: str) -> str:
    # civic.case.submitted.v1 -> caseSubmittedV1
    parts = event_type.removeprefix("civic.").replace("_", ".").split(".")
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def asyncapi(registry: TopicRegistry) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_cls in EVENT_TYPES:
        name = _message_name(event_cls.event_type)
        messages[name] = {
            "name": event_cls.event_type,
            "title": event_cls.event_type,
            "summary": event_cls.summary,
            "contentType": "application/json",
            "headers": {**CE_HEADERS, "properties": {
                **CE_HEADERS["properties"], "ce_type": {"const": event_cls.event_type}}},
            "payload": {"$ref": f"./schemas/{event_cls.event_type}.json"},
            "bindings": {"kafka": {"key": {"type": "string",
                                           "description": f"the payload's {event_cls.key_field}"},
                                   "bindingVersion": "0.5.0"}},
        }
    for spec in registry.topics:
        if spec.name.endswith(DLQ_SUFFIX):
            continue
        channel_id = spec.name.replace(".", "_")
        on_topic = types_on(spec.name)
        names = [_message_name(t.event_type) for t in on_topic]
        channel_messages = {name: {"$ref": f"#/components/messages/{name}"} for name in names}
        description = f"Partition key: {spec.key}."
        if spec.compacted:
            description += " Compacted: the latest event per key is kept."
        if spec.dlq:
            description += f" Unprocessable messages go to {spec.name}{DLQ_SUFFIX}."
        channels[channel_id] = {
            "address": spec.name,
            "description": description,
            "messages": channel_messages,
            "bindings": {"kafka": {
                "topic": spec.name,
                "partitions": spec.partitions,
                "topicConfiguration": {
                    "cleanup.policy": ["compact" if spec.compacted else "delete"],
                    **({"retention.ms": spec.retention_ms} if spec.retention_ms else {}),
                },
                "bindingVersion": "0.5.0",
            }},
        }
        if on_topic:
            operations[f"receive_{channel_id}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "summary": f"Consume {spec.name}.",
                "messages": [
                    {"$ref": f"#/channels/{channel_id}/messages/{m}"} for m in channel_messages
                ],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Civic platform events",
            "version": "1.0.0",
            "description": (
                "Every event the civic platform's services publish. Events are "
                "CloudEvents 1.0 in Kafka binary mode with JSON payloads. No personal "
                "data travels on the bus: ids, pseudonyms, area codes, categories and "
                "coarse facts only."
            ),
            "license": {"name": "MIT"},
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def render(registry: TopicRegistry) -> dict[str, str]:
    """Every generated file, by path relative to the contracts folder."""
    files = {
        f"schemas/{name}.json": json.dumps(schema, indent=2, sort_keys=True) + "\n"
        for name, schema in schemas().items()
    }
    files["asyncapi.yaml"] = (
        "# Generated by `civic contracts export`; do not edit by hand.\n"
        + yaml.safe_dump(asyncapi(registry), sort_keys=False, width=100)
    )
    return files


def write(target: Path, registry: TopicRegistry) -> list[Path]:
    written = []
    for rel, text in render(registry).items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(path)
    return written


def stale(target: Path, registry: TopicRegistry) -> list[str]:
    """Files whose committed text differs from what the models generate."""
    return [rel for rel, text in render(registry).items()
            if not (target / rel).exists() or (target / rel).read_text() != text]
