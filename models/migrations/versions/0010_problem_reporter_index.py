"""problem.reporter_id index: the App Home's "my problems" looks up the problems a person reported

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_problem_reporter_id', 'problem', ['reporter_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_problem_reporter_id', table_name='problem')
