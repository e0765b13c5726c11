"""school-side reports and DMs Slack will not deliver

partnership.school_channel_id (the school-side channel, private to college people), problem.school_only (a
report kept from the enterprise), and held_message (a DM Slack refused for its reader, kept for them behind
"Show details" in their partnership's channel). Outbox rows so redirected get status 'redirected' (a plain
VARCHAR: no schema change).

Revision ID: 0016
Revises: 0015
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('partnership') as batch:
        batch.add_column(sa.Column('school_channel_id', sa.String(length=32), nullable=True))
    with op.batch_alter_table('problem') as batch:
        batch.add_column(sa.Column('school_only', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'held_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=False),
        sa.Column('user', sa.String(length=32), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('blocks', sa.JSON(), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'],
                                name=op.f('fk_held_message_partnership_id_partnership'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_held_message')),
        sa.UniqueConstraint('outbox_id', name=op.f('uq_held_message_outbox_id')),
    )
    op.create_index(op.f('ix_held_message_user'), 'held_message', ['user'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_held_message_user'), table_name='held_message')
    op.drop_table('held_message')
    with op.batch_alter_table('problem') as batch:
        batch.drop_column('school_only')
    with op.batch_alter_table('partnership') as batch:
        batch.drop_column('school_channel_id')
