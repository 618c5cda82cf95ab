"""Ops set a partner key's coverage with the `keys` command (`python -m case_intake keys
…`), in the service's own database; unknown wards and categories are refused, and a
key's new coverage decides its next claim. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from case_intake.__main__ import main
from case_intake.database import schema
from civic.db import ServiceDatabase, api_keys
from civic.http.auth import ApiKeyStore, Coverage, Principal, Role


@pytest.fixture
def keys(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiKeyStore]:
    """Run the command against this database; read what it did with a fresh store."""
    monkeypatch.setenv("CASE_INTAKE_DATABASE_URL", database_url)
    database = ServiceDatabase(schema(), database_url)
    database.migrate()
    yield ApiKeyStore(database.engine, cache_seconds=0)
    database.dispose()


def _created(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["keys", *argv]) == 0
    return capsys.readouterr().out.strip()


def test_ops_create_a_partner_key_with_coverage_and_change_it(keys, capsys):
    key = _created(capsys, "create", "--name", "partner.x", "--role", "partner",
                   "--wards", "E05000128,E05000129", "--categories", "food,money")
    assert keys.lookup(key) == Principal("partner.x", Role.PARTNER, Coverage(
        frozenset({"E05000128", "E05000129"}), frozenset({"food", "money"})))

    assert main(["keys", "coverage", "--name", "partner.x", "--wards", "E05000142",
                 "--categories", "housing"]) == 0
    assert "partner.x: wards E05000142; categories housing" in capsys.readouterr().out
    assert keys.lookup(key).coverage == Coverage(frozenset({"E05000142"}),  # type: ignore[union-attr]
                                                 frozenset({"housing"}))

    assert main(["keys", "coverage", "partner.x", "--wards", "all", "--categories", "all"]) == 0
    assert keys.lookup(key).coverage == Coverage.everything()  # type: ignore[union-attr]

    assert main(["keys", "coverage", "partner.x", "--clear"]) == 0
    assert "no coverage (covers nothing)" in capsys.readouterr().out
    assert keys.lookup(key) == Principal("partner.x", Role.PARTNER, None)


def test_a_partner_key_made_without_coverage_covers_nothing_and_says_so(keys, capsys):
    assert main(["keys", "create", "partner.bare", "--role", "partner"]) == 0
    out = capsys.readouterr()
    assert keys.lookup(out.out.strip()) == Principal("partner.bare", Role.PARTNER, None)
    assert "partner.bare covers nothing until `keys coverage" in out.err
    staff = _created(capsys, "create", "staff.alice", "--role", "staff")  # as before
    assert keys.lookup(staff) == Principal("staff.alice", Role.STAFF)


@pytest.mark.parametrize(("argv", "message"), [
    (["create", "partner.y", "--role", "partner", "--wards", "E05000128,E05999999",
      "--categories", "food"], "unknown ward codes: E05999999"),
    (["create", "partner.y", "--role", "partner", "--wards", "E05000128",
      "--categories", "food,foood"], "unknown categories: foood"),
    (["create", "staff.y", "--role", "staff", "--wards", "E05000128",
      "--categories", "food"], "only partner keys carry coverage"),
])
def test_unknown_wards_or_categories_are_refused_and_no_key_is_made(keys, capsys, argv,
                                                                      message):
    """Mutation seen failing: ``coverage_columns`` not calling ``check``."""
    assert main(["keys", *argv]) == 2
    out = capsys.readouterr()
    assert message in out.err and out.out == ""
    with keys._engine.connect() as conn:
        assert list(conn.scalars(select(api_keys.c.name))) == []


def test_changing_coverage_is_checked_too(keys, capsys):
    _created(capsys, "create", "partner.z", "--role", "partner", "--wards", "E05000128",
             "--categories", "food")
    assert main(["keys", "coverage", "partner.z", "--wards", "E05000000",
                 "--categories", "food"]) == 2
    assert "unknown ward codes: E05000000" in capsys.readouterr().err
    assert main(["keys", "coverage", "partner.nobody", "--wards", "E05000128",
                 "--categories", "food"]) == 1
    assert "no live API key is named partner.nobody" in capsys.readouterr().err
    assert keys.coverage_of("partner.z") == Coverage(frozenset({"E05000128"}),
                                                     frozenset({"food"}))
    with pytest.raises(SystemExit):  # one of the pair alone is not a coverage
        main(["keys", "coverage", "partner.z", "--wards", "E05000128"])
