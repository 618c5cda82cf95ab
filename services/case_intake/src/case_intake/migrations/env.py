"""Alembic environment: runs on the connection case intake hands it (database.migrate),
or on CASE_INTAKE_DATABASE_URL when run from the alembic command line."""

import case_intake.models  # noqa: F401 - registers the tables
from case_intake.database import metadata_targets
from case_intake.settings import Settings
from civic.db import run_alembic_env

run_alembic_env(metadata_targets(), Settings().database_url)
