"""partner coverage: the wards and categories a partner key may claim in

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 16:00:00

Two JSON lists on each API key (civic.http.coverage). Existing keys get none: a partner
key without coverage covers nothing until ops sets it (`keys coverage`).
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coverage_wards', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('coverage_categories', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('coverage_categories')
        batch_op.drop_column('coverage_wards')
