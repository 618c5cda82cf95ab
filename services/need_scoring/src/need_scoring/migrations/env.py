"""Alembic environment: runs on the connection need scoring hands it (database.migrate),
or on NEED_SCORING_DATABASE_URL when run from the alembic command line."""

from alembic import context
from sqlalchemy import create_engine

import need_scoring.models  # noqa: F401 - registers the tables
from need_scoring.database import metadata_targets
from need_scoring.settings import Settings

config = context.config
connection = config.attributes.get("connection")


def run(conn) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=conn, target_metadata=metadata_targets(),
                      render_as_batch=conn.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    with create_engine(Settings().database_url).connect() as conn:
        run(conn)
        conn.commit()
