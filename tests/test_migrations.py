"""The shipped migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import models
from bot.db import Database
from bot.migrate import upgrade


def test_migrations_match_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, models.Base.metadata)
    assert diff == []


def test_upgrade_is_repeatable(db: Database) -> None:
    upgrade(db.url)  # already at head: a second run changes nothing and does not fail
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is not None
