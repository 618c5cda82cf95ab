"""band overrides have a state: pending until the case's worker has applied them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 12:00:00

Overrides became commands applied by the worker that owns the case
(overrides/commands.py). Every decision kept before was applied when it was made.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('band_overrides', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16), nullable=False,
                                      server_default='applied'))


def downgrade() -> None:
    with op.batch_alter_table('band_overrides', schema=None) as batch_op:
        batch_op.drop_column('state')
