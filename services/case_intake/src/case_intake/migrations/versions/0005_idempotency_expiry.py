"""idempotency records expire and hold only hashes

A record no longer keeps the Idempotency-Key, the caller or the first answer readable:
it is found by a keyed hash of caller and key, compares a repeat by a keyed MAC of its
body, keeps the answer sealed under a key derived from the Idempotency-Key, and expires
(case_intake.idempotency.sealing).

Records kept before this revision hold the key, and the answer with its receipt token,
in plain text. They cannot be sealed here (a migration does not know the server secret),
so they go, with the table; on SQLite with secure_delete on, so the freed pages are
zeroed rather than left holding them. A client repeating such a request after the
upgrade files a new case.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _drop_securely(table: str) -> None:
    """Drop the table (its indexes go with it), its rows overwritten on SQLite."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:  # on already in some builds (Debian's); set it back as it was after
        was = bind.exec_driver_sql("PRAGMA secure_delete").scalar()
        bind.exec_driver_sql("PRAGMA secure_delete = ON")
    op.execute(f"DELETE FROM {table}")
    op.drop_table(table)
    if sqlite:
        bind.exec_driver_sql(f"PRAGMA secure_delete = {int(was or 0)}")


def upgrade() -> None:
    _drop_securely('idempotency_keys')
    op.create_table(
        'idempotency_keys',
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('request_mac', sa.String(length=64), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=False),
        sa.Column('sealed_response', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint('key_hash'),
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index('ix_idempotency_keys_case_id', ['case_id'], unique=False)
        batch_op.create_index('ix_idempotency_keys_expires_at', ['expires_at'], unique=False)


def downgrade() -> None:
    # The sealed records cannot be opened without their keys: they go too.
    _drop_securely('idempotency_keys')
    op.create_table(
        'idempotency_keys',
        sa.Column('key', sa.String(length=128), nullable=False),
        sa.Column('principal', sa.String(length=64), nullable=False),
        sa.Column('request_hash', sa.String(length=64), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=False),
        sa.Column('response', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint('key', 'principal'),
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index('ix_idempotency_keys_case_id', ['case_id'], unique=False)
