"""The databases tests run on: which backends (`COOPBOT_TEST_DATABASES`, comma-separated, default
`sqlite,postgresql`), where PostgreSQL is (`COOPBOT_TEST_POSTGRES_URL`), a private schema there, and
emptying a database between tests. The fixtures that use these are in tests/conftest.py."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from sqlalchemy import text

import models
from bot.storage.db import Database

POSTGRES_URL = os.environ.get("COOPBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b.strip() for b in os.environ.get("COOPBOT_TEST_DATABASES", "sqlite,postgresql").split(",") if b]


def private_schema(url: str) -> tuple[str, Callable[[], None]]:
    """A schema of this test session's own, so concurrent runs on one PostgreSQL never collide.

    The schema rides in the URL (`options=-csearch_path=…`), so every engine made from it — the
    app's, Alembic's, a CLI subprocess's — lands there.
    """
    schema = f"coopbot_test_{os.getpid()}"
    admin = Database(url)
    try:
        with admin.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - environment problem, reported loudly
        pytest.exit(f"PostgreSQL at {url} is not reachable ({exc}). Start it, or set "
                    "COOPBOT_TEST_DATABASES=sqlite to run on SQLite only.", returncode=3)

    def drop() -> None:
        with admin.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", drop


def wipe(database: Database) -> None:
    """Delete every row of every table, children first."""
    with database.transaction() as session:
        for table in reversed(models.Base.metadata.sorted_tables):
            session.execute(table.delete())
