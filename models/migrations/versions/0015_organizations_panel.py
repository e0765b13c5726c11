"""two organizations: each person's Slack team, enterprise, external and guest marks; each side's language;
where each partnership channel's coopbot panel is

People of the enterprise often sit in another Slack organization (a Slack Connect channel) or are guests of
the college's workspace. coopbot stores what Slack says of each person, and a partnership may set the
language of each side for those whose Slack gives no locale. The panel is the message with the buttons that
start everything for people who cannot run slash commands; its message key is `panel:<partnership id>`.

Revision ID: 0015
Revises: 0014
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('person') as batch:
        batch.add_column(sa.Column('slack_team_id', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('slack_enterprise_id', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('is_external', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('is_guest', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('partnership') as batch:
        batch.add_column(sa.Column('school_language', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('enterprise_language', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('panel_digest', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('partnership') as batch:
        batch.drop_column('panel_digest')
        batch.drop_column('enterprise_language')
        batch.drop_column('school_language')
    with op.batch_alter_table('person') as batch:
        batch.drop_column('is_guest')
        batch.drop_column('is_external')
        batch.drop_column('slack_enterprise_id')
        batch.drop_column('slack_team_id')
