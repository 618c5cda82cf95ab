"""The schemathesis fuzz driver every service's OpenAPI tests share."""

from __future__ import annotations

import pytest


def fuzz_operation(operation, mode, api_keys: list[str | None], *,  # type: ignore[no-untyped-def]
                   base_url: str | None = None, max_examples: int = 40) -> None:
    """Drive schemathesis' strategy for one OpenAPI operation, as each API key (None: no
    key), and fail on any 5xx. Its pytest plugin does not run under pytest 9. Skips, and
    says why, when a negative run finds no input that can be made invalid."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:  # type: ignore[no-untyped-def]
        for key in api_keys:
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            extra = {"base_url": base_url} if base_url else {}
            case.call_and_validate(headers=headers, checks=[not_a_server_error], **extra)

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        pytest.skip(f"{operation.label} has no input that can be made invalid")
