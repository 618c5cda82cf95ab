"""scripts/build_postcodes.py rebuilds the committed postcodes.csv exactly from the
committed Code-Point Open rows, so a council can re-run it on its own extract and the
project's file is what the script says it is."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_committed_postcode_file_is_what_the_script_builds(tmp_path: Path) -> None:
    script = runpy.run_path(str(ROOT / "scripts" / "build_postcodes.py"))
    out = tmp_path / "postcodes.csv"
    assert script["main"](["--council", "camden", "--out", str(out)]) == 0
    committed = ROOT / "infra" / "reference" / "camden" / "postcodes.csv"
    assert out.read_bytes() == committed.read_bytes()
