"""internship evaluation: the mentor's evaluation at the end of each internship

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

GRADES = ('excellent', 'good', 'pass', 'fail')


def _grade(name: str) -> sa.Column:
    return sa.Column(name, sa.Enum(*GRADES, name='grade', native_enum=False, length=16), nullable=False)


def upgrade() -> None:
    op.create_table('internship_evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intern_id', sa.Integer(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=False),
    _grade('attendance'),
    _grade('professional_skills'),
    _grade('attitude'),
    _grade('safety_awareness'),
    _grade('teamwork'),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('certificate_issued', sa.Boolean(), nullable=False),
    sa.Column('source_key', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evaluator_id'], ['person.id'], name=op.f('fk_internship_evaluation_evaluator_id_person')),
    sa.ForeignKeyConstraint(['intern_id'], ['intern.id'], name=op.f('fk_internship_evaluation_intern_id_intern'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_internship_evaluation')),
    sa.UniqueConstraint('intern_id', name=op.f('uq_internship_evaluation_intern_id')),
    sa.UniqueConstraint('source_key', name=op.f('uq_internship_evaluation_source_key'))
    )
    with op.batch_alter_table('internship_evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_internship_evaluation_evaluator_id'), ['evaluator_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('internship_evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_internship_evaluation_evaluator_id'))
    op.drop_table('internship_evaluation')
