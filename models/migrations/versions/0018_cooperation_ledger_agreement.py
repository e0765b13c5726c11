"""the cooperation ledger (ledger_entry) and each partnership's agreement (agreement)

Revision ID: 0018
Revises: 0017
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ledger_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('people', sa.String(length=500), nullable=True),
        sa.Column('details', sa.Text(), nullable=True),
        sa.Column('started_on', sa.Date(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=True),
        sa.Column('ownership', sa.String(length=16), nullable=True),
        sa.Column('trainees', sa.Integer(), nullable=True),
        sa.Column('hours', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('source_key', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_ledger_entry_created_by_id_person')),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_ledger_entry_partnership_id_partnership'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entry')),
        sa.UniqueConstraint('source_key', name=op.f('uq_ledger_entry_source_key')),
    )
    op.create_index('ix_ledger_entry_partnership_created', 'ledger_entry', ['partnership_id', 'created_at'])
    op.create_table(
        'agreement',
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('signed_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('links', sa.JSON(), nullable=False),
        sa.Column('renewals', sa.Integer(), server_default='0', nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_agreement_partnership_id_partnership'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('partnership_id', name=op.f('pk_agreement')),
    )


def downgrade() -> None:
    op.drop_table('agreement')
    op.drop_index('ix_ledger_entry_partnership_created', table_name='ledger_entry')
    op.drop_table('ledger_entry')
