"""Schemathesis generates requests from the OpenAPI document, valid and invalid, for
every operation and as each role, against the running service on a real broker: none
may produce a 5xx."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from schemathesis import GenerationMode

from civic.http.auth import Role
from civic_testing import LiveServer, fuzz_operation
from need_scoring.app import create_app
from need_scoring.settings import POLICIES, Settings

pytestmark = [pytest.mark.broker, pytest.mark.slow]

# The document only: this app is never started.
_SCHEMA_DB = Path(tempfile.mkdtemp(prefix="civic-fuzz-")) / "schema.db"
SCHEMA = schemathesis.openapi.from_dict(
    create_app(Settings(database_url=f"sqlite:///{_SCHEMA_DB}", apply_topics=False)).openapi())
OPERATIONS = [op for op in (r.ok() for r in SCHEMA.get_all_operations())
              if op.label != "GET /readyz"]


@pytest.fixture(scope="module")
def service(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("fuzz")
    policy = folder / "policy.yaml"
    policy.write_text((POLICIES / "need-2026.11.yaml").read_text().replace(
        "version: need-2026.11", f"version: need-2026.11-fuzz{uuid.uuid4().hex[:6]}"))
    app = create_app(Settings(kafka_bootstrap_servers=kafka_bootstrap, policy_file=policy,
                              database_url=f"sqlite:///{folder}/fuzz.db", apply_topics=False,
                              data_dir=Path(folder) / "faust"))
    with LiveServer(app) as live:
        store = app.state.api_keys
        keys = {role.value: store.create(f"{role.value}.fuzz", role)
                for role in (Role.STAFF, Role.PARTNER, Role.OPS)}
        yield live, keys


def test_the_fuzz_covers_every_documented_operation() -> None:
    labels = {op.label for op in OPERATIONS}
    assert {"GET /v1/cases/{case_id}/score", "POST /v1/cases/{case_id}/band-override",
            "GET /v1/areas/need", "GET /map", "GET /v1/transparency-record"} <= labels


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_request_produces_a_server_error(service, operation, mode) -> None:  # type: ignore[no-untyped-def]
    live, keys = service
    fuzz_operation(operation, mode, [keys["staff"], keys["partner"], None],
                   base_url=live.url, max_examples=25)
