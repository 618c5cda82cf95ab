"""Alembic environment: runs on the connection partner notifications hands it, or on
PARTNER_NOTIFICATIONS_DATABASE_URL when run from the alembic command line."""

# Importing the models registers every table on Base before Alembic compares.
from civic.db import run_alembic_env
from partner_notifications.audit import models as _audit  # noqa: F401
from partner_notifications.database import schema
from partner_notifications.deliveries import models as _deliveries  # noqa: F401
from partner_notifications.partners import models as _partners  # noqa: F401
from partner_notifications.settings import Settings
from partner_notifications.subscriptions import models as _subscriptions  # noqa: F401

run_alembic_env(schema(), Settings().database_url)
