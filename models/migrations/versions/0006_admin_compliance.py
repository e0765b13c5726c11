"""administration in Slack and the intern compliance checklist: intern birth date and early-end reason

Revision ID: 0006
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('intern', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.String(length=1000), nullable=True))
    op.create_table('intern_compliance',
    sa.Column('intern_id', sa.Integer(), nullable=False),
    sa.Column('agreement', sa.Boolean(), nullable=False),
    sa.Column('insurance', sa.Boolean(), nullable=False),
    sa.Column('guardian_consent', sa.Boolean(), nullable=False),
    sa.Column('pay', sa.Boolean(), nullable=False),
    sa.Column('hours', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['intern_id'], ['intern.id'], name=op.f('fk_intern_compliance_intern_id_intern'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['person.id'], name=op.f('fk_intern_compliance_updated_by_id_person')),
    sa.PrimaryKeyConstraint('intern_id', name=op.f('pk_intern_compliance'))
    )


def downgrade() -> None:
    op.drop_table('intern_compliance')
    with op.batch_alter_table('intern', schema=None) as batch_op:
        batch_op.drop_column('end_reason')
        batch_op.drop_column('birth_date')
