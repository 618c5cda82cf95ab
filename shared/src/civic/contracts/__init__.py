"""Event contracts: every event type on the bus, and its CloudEvents envelope."""

from civic.contracts.base import EventPayload
from civic.contracts.catalogue import BY_TYPE, EVENT_TYPES, UnknownEventType, payload_class
from civic.contracts.envelope import Envelope, KafkaRecord, MalformedEvent, decode, encode

__all__ = [
    "BY_TYPE",
    "EVENT_TYPES",
    "Envelope",
    "EventPayload",
    "KafkaRecord",
    "MalformedEvent",
    "UnknownEventType",
    "decode",
    "encode",
    "payload_class",
]
