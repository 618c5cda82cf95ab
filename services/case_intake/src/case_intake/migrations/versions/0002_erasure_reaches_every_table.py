"""erasure reaches every table: audit purposes hold an erasure's 500-character reason,
and an idempotency record knows its case so erasing the case takes it

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('purpose', existing_type=sa.String(length=200),
                              type_=sa.String(length=500), existing_nullable=False)
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.String(length=36), nullable=True))
        batch_op.create_index('ix_idempotency_keys_case_id', ['case_id'], unique=False)
    # Records kept before this revision learn their case from the answer they hold.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE idempotency_keys SET case_id = response::json->>'id'")
    else:
        op.execute("UPDATE idempotency_keys SET case_id = json_extract(response, '$.id')")


def downgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_keys_case_id')
        batch_op.drop_column('case_id')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('purpose', existing_type=sa.String(length=500),
                              type_=sa.String(length=200), existing_nullable=False)
