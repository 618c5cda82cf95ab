"""case scores: the read model of need scoring's verdicts, for the staff queue

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 05:30:00

A row per case, written with the case (unscored) and filled from cases.scored by the
service's consumer group; cases already filed get their unscored row here, and their
scores as the group reads the topic from its beginning.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_scores',
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('band', sa.String(length=8), nullable=True),
        sa.Column('queue_key', sa.Integer(), nullable=False),
        sa.Column('policy_version', sa.String(length=40), nullable=True),
        sa.Column('reasons', sa.JSON(), nullable=True),
        sa.Column('overridden', sa.Boolean(), nullable=False),
        sa.Column('overridden_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('scored_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('event_id', sa.String(length=64), nullable=True),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id'))
    op.create_index('ix_case_scores_queue', 'case_scores',
                    ['queue_key', 'opened_at', 'case_id'], unique=False)
    # every case already filed joins the queue unscored, as new ones do when filed: -1
    # while open, after every open case (+10,000) once not (case_intake/scores/ordering.py)
    op.execute("INSERT INTO case_scores (case_id, queue_key, overridden, opened_at) "
               "SELECT id, CASE WHEN status IN ('submitted', 'triaged', 'claimed', "
               "'in_progress') THEN -1 ELSE 9999 END, false, created_at FROM cases "
               "WHERE erased_at IS NULL")


def downgrade() -> None:
    op.drop_index('ix_case_scores_queue', table_name='case_scores')
    op.drop_table('case_scores')
