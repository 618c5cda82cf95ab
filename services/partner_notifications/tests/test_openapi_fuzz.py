"""Schemathesis generates requests from the OpenAPI document, valid and invalid, for
every operation and as each role (ops, a partner with coverage, none): none may produce
a 5xx."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from schemathesis import GenerationMode

from civic.http.auth import Coverage, Role
from civic_testing import fuzz_operation
from partner_notifications.app import create_app
from partner_notifications.settings import Settings

_DB = Path(tempfile.mkdtemp(prefix="civic-partners-fuzz-")) / "fuzz.db"
APP = create_app(Settings(database_url=f"sqlite:///{_DB}", kafka_bootstrap_servers="127.0.0.1:9",
                          apply_topics=False, run_relay=False, run_consumers=False,
                          run_worker=False, connect_timeout_s=0.5, total_timeout_s=1))
KEYS = {"ops": APP.state.api_keys.create("ops.fuzz", Role.OPS),
        "partner": APP.state.api_keys.create("partner.fuzz", Role.PARTNER,
                                             coverage=Coverage.everything())}
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
# /readyz answers 503 by design when the broker is away, as it is here.
OPERATIONS = [op for op in (r.ok() for r in SCHEMA.get_all_operations())
              if op.label != "GET /readyz"]


def test_the_fuzz_covers_every_documented_operation() -> None:
    labels = {op.label for op in OPERATIONS}
    assert {"POST /v1/partners", "POST /v1/subscriptions",
            "POST /v1/subscriptions/{subscription_id}/ping",
            "POST /v1/subscriptions/{subscription_id}/recover"} <= labels, labels


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_request_produces_a_server_error(operation, mode) -> None:  # type: ignore[no-untyped-def]
    fuzz_operation(operation, mode, [KEYS["ops"], KEYS["partner"], None])
