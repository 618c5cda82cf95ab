"""Schemathesis generates requests from the OpenAPI document, valid and invalid, for
every operation and as each role: none may produce a 5xx.

Schemathesis' own pytest plugin does not run under pytest 9, so its per-operation
Hypothesis strategies are driven directly."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from schemathesis import GenerationMode

from case_intake.app import create_app
from case_intake.settings import Settings
from civic.http.auth import Role
from civic_testing import fuzz_operation

_DB = Path(tempfile.mkdtemp(prefix="civic-fuzz-")) / "fuzz.db"
APP = create_app(Settings(database_url=f"sqlite:///{_DB}", kafka_bootstrap_servers="127.0.0.1:9",
                          apply_topics=False, run_relay=False, run_consumers=False, tune_gc=False))
KEYS = {"staff": APP.state.api_keys.create("staff.fuzz", Role.STAFF),
        "partner": APP.state.api_keys.create("partner.fuzz", Role.PARTNER)}
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
# /readyz answers 503 by design when the broker is away (as it is here); it is tested
# against a real broker in test_publishing.py.
OPERATIONS = [op for op in (r.ok() for r in SCHEMA.get_all_operations())
              if op.label != "GET /readyz"]


def test_the_fuzz_covers_every_documented_operation() -> None:
    labels = {op.label for op in OPERATIONS}
    assert "POST /v1/cases" in labels
    assert "POST /v1/cases/{case_id}/claim" in labels
    assert len(labels) >= 15


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_request_produces_a_server_error(operation, mode) -> None:  # type: ignore[no-untyped-def]
    fuzz_operation(operation, mode, [KEYS["staff"], KEYS["partner"], None])
