"""Replicas of a service start together, and each brings the schema to head as it
starts: on PostgreSQL they take turns (an advisory lock held by the migrating
transaction), so every replica starts and the schema is migrated once.

Mutation seen to fail: the advisory lock removed from ``ServiceDatabase.migrate`` (a
replica failed on a table or schema the other had just created)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlalchemy import text

from case_intake.database import schema
from civic.db import ServiceDatabase

REPLICAS = 4


def test_replicas_starting_together_each_migrate_without_failing(postgres_url: str) -> None:
    replicas = [ServiceDatabase(schema(), postgres_url) for _ in range(REPLICAS)]
    start = Barrier(REPLICAS)

    def migrate(database: ServiceDatabase) -> None:
        start.wait()
        database.migrate()

    try:
        with ThreadPoolExecutor(REPLICAS) as pool:
            for outcome in [pool.submit(migrate, d) for d in replicas]:
                outcome.result(timeout=120)  # raises what a replica's migration raised
        with replicas[0].engine.connect() as conn:
            heads = conn.execute(text(
                "SELECT version_num FROM case_intake.alembic_version_case_intake")).scalars().all()
        assert len(heads) == 1
    finally:
        for database in replicas:
            database.dispose()
