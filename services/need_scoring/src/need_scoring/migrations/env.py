"""Alembic environment: runs on the connection need scoring hands it (database.migrate),
or on NEED_SCORING_DATABASE_URL when run from the alembic command line."""

import need_scoring.models  # noqa: F401 - registers the tables
from civic.db import run_alembic_env
from need_scoring.database import metadata_targets
from need_scoring.settings import Settings

run_alembic_env(metadata_targets(), Settings().database_url)
