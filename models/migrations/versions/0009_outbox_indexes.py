"""outbox indexes: by channel, key and status (App Home refresh markers), and by status and channel (the
worker's next row per channel), so neither scans every pending row under a backlog

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_outbox_channel_key', 'outbox_message', ['channel', 'message_key', 'status'], unique=False)
    op.create_index('ix_outbox_heads', 'outbox_message', ['status', 'channel', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_heads', table_name='outbox_message')
    op.drop_index('ix_outbox_channel_key', table_name='outbox_message')
