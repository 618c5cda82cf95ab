"""The dead-letter headers are on the bus too: a reason is short and quotes no input."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from civic.kafka.deadletter import REASON_LIMIT, dead_letter


class _Submitted(BaseModel):
    ward_code: str
    people: int


def _reason(error: BaseException) -> str:
    record = dead_letter(topic="cases.submitted", partition=0, offset=7, key=b"k",
                         value=b"{}", headers=[], error=error, consumer_group="g", attempts=3)
    return dict(record.headers)["civic_dlq_reason"].decode()


def test_a_validation_error_names_fields_and_problems_but_not_the_values() -> None:
    try:
        _Submitted.model_validate({"ward_code": 5, "people": "Flat 3, 1 Marker Road NW5 1AH"})
    except ValidationError as exc:
        reason = _reason(exc)
    assert "people" in reason and "ward_code" in reason
    assert "Marker" not in reason and "NW5" not in reason


def test_a_long_reason_is_cut_to_the_limit() -> None:
    reason = _reason(LookupError("unknown event type 'x'; known types: " + "a, " * 500))
    assert len(reason) == REASON_LIMIT and reason.endswith("…")
    assert _reason(RuntimeError("downstream said no")) == "downstream said no"
