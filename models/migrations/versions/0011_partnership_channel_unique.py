"""one partnership per channel: a unique index on partnership.channel_id

`coopbot partnership add` did not check the channel, so two partnerships could share one, and a channel's
commands and events would then act on either. Existing duplicates stop the upgrade with a message saying
which partnerships to give their own channel.

Revision ID: 0011
Revises: 0010
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    shared: dict[str, list[str]] = {}
    for channel, name in op.get_bind().execute(sa.text(
            "SELECT channel_id, name FROM partnership WHERE channel_id IN "
            "(SELECT channel_id FROM partnership GROUP BY channel_id HAVING count(*) > 1) ORDER BY channel_id, name")):
        shared.setdefault(channel, []).append(name)
    if shared:
        listed = "; ".join(f"{channel}: {', '.join(repr(n) for n in names)}" for channel, names in shared.items())
        raise RuntimeError(
            f"partnerships share a Slack channel ({listed}). Each partnership needs its own channel: set "
            "another channel id in partnership.channel_id for all but one of each, then run `coopbot db "
            "upgrade` again.")
    op.create_index('ux_partnership_channel_id', 'partnership', ['channel_id'], unique=True)


def downgrade() -> None:
    op.drop_index('ux_partnership_channel_id', table_name='partnership')
