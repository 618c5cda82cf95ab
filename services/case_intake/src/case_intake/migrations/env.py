"""Alembic environment: runs on the connection case intake hands it, or on
CASE_INTAKE_DATABASE_URL when run from the alembic command line."""

from case_intake.database import schema
from case_intake.settings import Settings
from civic.db import run_alembic_env

run_alembic_env(schema(), Settings().database_url)
