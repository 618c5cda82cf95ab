"""Alembic environment: runs on the connection QR events hands it, or on
QR_EVENTS_DATABASE_URL when run from the alembic command line."""

# Importing the models registers every table on Base before Alembic compares.
from civic.db import run_alembic_env
from qr_events.codes import models as _codes  # noqa: F401
from qr_events.conversions import models as _conversions  # noqa: F401
from qr_events.database import schema
from qr_events.scans import models as _scans  # noqa: F401
from qr_events.settings import Settings

run_alembic_env(schema(), Settings().database_url)
