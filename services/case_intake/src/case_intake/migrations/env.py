"""Alembic environment: runs on the connection case intake hands it (see database.migrate),
or on CASE_INTAKE_DATABASE_URL when run from the alembic command line."""

from alembic import context
from sqlalchemy import create_engine

import case_intake.models  # noqa: F401 - registers the tables
from case_intake.database import metadata_targets
from case_intake.settings import Settings

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
