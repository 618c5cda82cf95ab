"""`make lint` as part of the suite, so CI keeps the code clean: ruff everywhere, mypy
(strict) on the shared civic library and the case intake and need scoring services."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]


# The same list as the Makefile's `lint` target.
MYPY_PATHS = ["shared/src/civic", "services/case_intake/src", "services/need_scoring/src"]


def test_mypy_strict_on_civic_case_intake_and_need_scoring() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", *MYPY_PATHS], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]
