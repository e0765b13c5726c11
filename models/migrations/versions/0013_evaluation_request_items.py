"""evaluation request items: which interns each evaluation-request DM lists

A mentor whose interns end together is asked in one DM listing them all; when an evaluation comes in,
the DMs that listed the intern are found here and redrawn. DMs sent before this revision asked about
one intern each, under the key `intern:<intern id>:evaluate:<user>:<n>`: they are listed from the
outbox, so their buttons still go once the evaluation is in.

Revision ID: 0013
Revises: 0012
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evaluation_request_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_key', sa.String(length=128), nullable=False),
    sa.Column('recipient', sa.String(length=32), nullable=False),
    sa.Column('intern_id', sa.Integer(), nullable=False),
    sa.Column('reminder', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['intern_id'], ['intern.id'],
                            name=op.f('fk_evaluation_request_item_intern_id_intern'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_request_item')),
    sa.UniqueConstraint('message_key', 'intern_id', name=op.f('uq_evaluation_request_item_message_key')),
    )
    op.create_index(op.f('ix_evaluation_request_item_intern_id'), 'evaluation_request_item', ['intern_id'],
                    unique=False)
    _list_earlier_requests()


def _list_earlier_requests() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT channel, message_key, created_at FROM outbox_message "
        "WHERE kind = 'post' AND message_key LIKE 'intern:%:evaluate:%'")).all()
    interns = {row[0] for row in connection.execute(sa.text("SELECT id FROM intern"))}
    items, seen = [], set()
    for channel, key, created_at in rows:
        parts = key.split(":")  # intern:<id>:evaluate:<user>:<n>
        if len(parts) != 5 or not parts[1].isdigit() or not parts[4].isdigit() or int(parts[1]) not in interns:
            continue
        if key in seen:
            continue
        seen.add(key)
        items.append({"message_key": key, "recipient": channel, "intern_id": int(parts[1]),
                      "reminder": int(parts[4]), "created_at": created_at})
    if items:
        table = sa.table('evaluation_request_item', sa.column('message_key'), sa.column('recipient'),
                         sa.column('intern_id'), sa.column('reminder'), sa.column('created_at'))
        op.bulk_insert(table, items)


def downgrade() -> None:
    op.drop_index(op.f('ix_evaluation_request_item_intern_id'), table_name='evaluation_request_item')
    op.drop_table('evaluation_request_item')
