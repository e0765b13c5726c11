"""a failed exchange: a Fail from either side ends the exchange without a letter (status 'failed')

The status column is a plain VARCHAR(24), so the new value needs no schema change. Exchanges that a Fail
left active or assessed before this revision (waiting for the other side, or for a coordinator to issue a
letter they must not get) end as 'failed' now; letters already issued stay as they are.

Revision ID: 0014
Revises: 0013
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text(
        "UPDATE exchange SET status = 'failed' "
        "WHERE status IN ('active', 'assessed') AND EXISTS ("
        "    SELECT 1 FROM exchange_assessment a WHERE a.exchange_id = exchange.id AND a.rating = 'fail')"))


def downgrade() -> None:
    # Before 0014 a failed exchange waited in 'assessed' when both sides had assessed, else in 'active'.
    op.execute(sa.text(
        "UPDATE exchange SET status = CASE WHEN (SELECT count(*) FROM exchange_assessment a "
        "                                        WHERE a.exchange_id = exchange.id) >= 2 "
        "                             THEN 'assessed' ELSE 'active' END "
        "WHERE status = 'failed'"))
