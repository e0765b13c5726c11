"""a reopened problem's clock: problem.reopened_at and problem.reopen_count

A reopened problem waits for acknowledgement again, so it is escalated when nobody acknowledges it in
time from its reopening, once per reopening. Problems reopened before this revision get both from their
timeline.

Revision ID: 0012
Revises: 0011
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('problem') as batch:
        batch.add_column(sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('reopen_count', sa.Integer(), server_default='0', nullable=False))
    op.execute(sa.text(
        "UPDATE problem SET "
        "reopened_at = (SELECT max(e.created_at) FROM problem_event e "
        "               WHERE e.problem_id = problem.id AND e.kind = 'reopened'), "
        "reopen_count = (SELECT count(*) FROM problem_event e "
        "                WHERE e.problem_id = problem.id AND e.kind = 'reopened') "
        "WHERE EXISTS (SELECT 1 FROM problem_event e WHERE e.problem_id = problem.id AND e.kind = 'reopened')"))


def downgrade() -> None:
    with op.batch_alter_table('problem') as batch:
        batch.drop_column('reopen_count')
        batch.drop_column('reopened_at')
