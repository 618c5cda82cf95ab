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
# As `make lint`: civic and every service, so a new service is checked from its first file.
MYPY_PATHS = ["shared/src/civic", *sorted(str(p.relative_to(ROOT))
                                          for p in ROOT.glob("services/*/src"))]


def test_mypy_strict_on_civic_and_every_service() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", *MYPY_PATHS], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]
