"""case scores keep every factor's contribution, for the case page's explanation

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 08:10:00

Rows scored before this keep only their top reasons; the case page says so, and the
next score of the case fills the factors in.
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('case_scores', sa.Column('contributions', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case_scores') as batch:
        batch.drop_column('contributions')
