"""Alembic environment: runs on the connection case intake hands it, or on
CASE_INTAKE_DATABASE_URL when run from the alembic command line."""

# Importing the models registers every table on Base before Alembic compares.
from case_intake.audit import models as _audit  # noqa: F401
from case_intake.cases import models as _cases  # noqa: F401
from case_intake.database import schema
from case_intake.idempotency import models as _idempotency  # noqa: F401
from case_intake.scores import models as _scores  # noqa: F401
from case_intake.settings import Settings
from case_intake.staff_sessions import models as _staff_sessions  # noqa: F401
from civic.db import run_alembic_env

run_alembic_env(schema(), Settings().database_url)
