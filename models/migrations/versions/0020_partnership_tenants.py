"""OAuth mode: the enterprise's installation joins a partnership (tenants, docs/decisions/0012)

`partner_team_id` is the enterprise's workspace (a team id, or the enterprise id of an org-wide install),
set when its coordinator accepts the link; `partner_invited_at` is when the college's coordinator invited
it (None: no invitation pending).

Revision ID: 0020
Revises: 0019
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('partnership') as batch:
        batch.add_column(sa.Column('partner_team_id', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('partner_invited_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('partnership') as batch:
        batch.drop_column('partner_invited_at')
        batch.drop_column('partner_team_id')
