import pytest


@pytest.fixture
def database_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    """Pages do not depend on the database engine (storage runs on both elsewhere)."""
    return f"sqlite:///{tmp_path}/form.db"
