"""Alembic environment: runs on the connection need scoring hands it, or on
NEED_SCORING_DATABASE_URL when run from the alembic command line."""

# Importing the models registers every table on Base before Alembic compares.
from civic.db import run_alembic_env
from need_scoring.audit import models as _audit  # noqa: F401
from need_scoring.database import schema
from need_scoring.overrides import models as _overrides  # noqa: F401
from need_scoring.settings import Settings

run_alembic_env(schema(), Settings().database_url)
