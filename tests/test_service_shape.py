"""The service shape (docs/service-anatomy.md), enforced by reading the source.

Each rule was seen to fail on a deliberate breach: a ``from sqlalchemy import select``
in an endpoint module, an import of ``Problem`` in a repository and in
``cases/filing.py``, an import of need_scoring from case_intake, and a 260-line module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = sorted(p for p in (ROOT / "services").glob("*/src/*") if p.is_dir()
                  and (p / "__init__.py").exists())
SERVICE_PACKAGES = {p.name for p in SERVICES}
MAX_LINES = 250


def _modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "migrations" not in p.parts)


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(), filename=str(path))


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _is_endpoint(path: Path) -> bool:
    return path.name == "endpoints.py" or path.name.endswith("_endpoints.py")


def _endpoint_modules() -> list[Path]:
    return [p for root in SERVICES for p in _modules(root) if _is_endpoint(p)]


SESSION_CALLS = {"sessions", "begin", "execute", "scalars", "scalar", "commit", "connect"}


@pytest.mark.parametrize("path", _endpoint_modules(), ids=_rel)
def test_endpoints_run_no_query_and_open_no_session(path: Path) -> None:
    tree = _parse(path)
    imports = _imports(tree)
    assert not {i for i in imports if i.startswith("sqlalchemy")}, \
        f"{_rel(path)} imports SQLAlchemy: queries belong in a repository"
    assert not {i for i in imports if i.endswith(".repository") or ".repository." in i}, \
        f"{_rel(path)} imports a repository: call the service instead"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in SESSION_CALLS, (
                f"{_rel(path)}:{node.lineno} calls .{node.func.attr}(): transactions are "
                "opened by services")
        if isinstance(node, ast.Attribute) and node.attr == "state" and isinstance(
                node.value, ast.Attribute) and node.value.attr == "app":
            pytest.fail(f"{_rel(path)}:{node.lineno} reads app.state: take a dependency "
                        "from dependencies.py")


def _domain_modules() -> list[Path]:
    """Everything but the HTTP edge: endpoints, dependencies.py and app.py."""
    return [p for root in SERVICES for p in _modules(root) if not _is_endpoint(p)
            and p.name not in ("dependencies.py", "app.py")]


HTTP_ERRORS = ("civic.http.problems", "fastapi.HTTPException", "fastapi.exceptions",
               "starlette.exceptions")


@pytest.mark.parametrize("path", _domain_modules(), ids=_rel)
def test_only_endpoints_raise_http_problems(path: Path) -> None:
    imports = _imports(_parse(path))
    http = {i for i in imports if i.startswith(HTTP_ERRORS)}
    if path.name in ("service.py", "repository.py"):  # and know nothing of HTTP at all
        http |= {i for i in imports if i.startswith(("fastapi", "starlette"))}
    assert not http, f"{_rel(path)} imports {sorted(http)}: raise civic.errors instead"


@pytest.mark.parametrize("root", SERVICES, ids=lambda p: p.name)
def test_no_service_imports_another(root: Path) -> None:
    others = SERVICE_PACKAGES - {root.name}
    for path in _modules(root):
        bad = {i for i in _imports(_parse(path)) if i.split(".")[0] in others}
        assert not bad, f"{_rel(path)} imports {sorted(bad)}: services talk over Kafka"


def test_civic_imports_no_service() -> None:
    for path in _modules(ROOT / "shared" / "src" / "civic"):
        bad = {i for i in _imports(_parse(path)) if i.split(".")[0] in SERVICE_PACKAGES}
        assert not bad, f"{_rel(path)} imports {sorted(bad)}: civic serves every service"


@pytest.mark.parametrize("root", SERVICES, ids=lambda p: p.name)
def test_every_app_is_built_by_the_civic_factory(root: Path) -> None:
    tree = _parse(root / "app.py")
    calls = {node.func.id for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert "create_service_app" in calls
    assert "FastAPI" not in calls, "build the app with civic.http.app.create_service_app"


def test_no_source_file_is_over_250_lines() -> None:
    roots = [*SERVICES, ROOT / "shared" / "src", ROOT / "shared" / "testing" / "src"]
    long = {_rel(p): n for root in roots for p in _modules(root)
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"split these where their ideas divide: {long}"
