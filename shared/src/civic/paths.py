"""Where the platform's data files live.

The repository keeps topics, reference data and contracts as files under ``infra/``
and ``shared/contracts/``. A container or another council's deployment points at its
own copy with ``CIVIC_INFRA_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path


class InfraNotFound(FileNotFoundError):
    pass


def repo_root() -> Path | None:
    for start in (Path.cwd(), Path(__file__).resolve()):
        for parent in (start, *start.parents):
            if (parent / "infra" / "topics.yaml").is_file():
                return parent
    return None


def infra_dir() -> Path:
    configured = os.environ.get("CIVIC_INFRA_DIR")
    if configured:
        return Path(configured)
    root = repo_root()
    if root is None:
        raise InfraNotFound(
            "cannot find the platform's infra/ folder: run from the repository, "
            "or set CIVIC_INFRA_DIR to its path"
        )
    return root / "infra"


def infra_file(*parts: str) -> Path:
    path = infra_dir().joinpath(*parts)
    if not path.exists():
        raise InfraNotFound(f"{path} does not exist (CIVIC_INFRA_DIR={infra_dir()})")
    return path
