"""Schemathesis generates requests from the OpenAPI document, valid and invalid, for
every operation and as each role: none may produce a 5xx.

Schemathesis' own pytest plugin does not run under pytest 9, so its per-operation
Hypothesis strategies are driven directly."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from case_intake.app import create_app
from case_intake.settings import Settings
from civic.http.auth import Role

_DB = Path(tempfile.mkdtemp(prefix="civic-fuzz-")) / "fuzz.db"
APP = create_app(Settings(database_url=f"sqlite:///{_DB}", kafka_bootstrap_servers="127.0.0.1:9",
                          apply_topics=False, run_relay=False, tune_gc=False))
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
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:  # type: ignore[no-untyped-def]
        for role in ("staff", "partner", None):
            headers = {"Authorization": f"Bearer {KEYS[role]}"} if role else {}
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        pytest.skip(f"{operation.label} has no input that can be made invalid")
