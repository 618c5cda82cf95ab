"""Alembic environment: runs on the connection need scoring hands it, or on
NEED_SCORING_DATABASE_URL when run from the alembic command line."""

from civic.db import run_alembic_env
from need_scoring.database import schema
from need_scoring.settings import Settings

run_alembic_env(schema(), Settings().database_url)
