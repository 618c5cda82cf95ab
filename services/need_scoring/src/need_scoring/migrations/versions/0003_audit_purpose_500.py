"""audit purposes up to 500 characters, as in every service (civic.audit)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('purpose', existing_type=sa.String(length=200),
                              type_=sa.String(length=500), existing_nullable=False,
                              existing_server_default='')


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('purpose', existing_type=sa.String(length=500),
                              type_=sa.String(length=200), existing_nullable=False,
                              existing_server_default='')
