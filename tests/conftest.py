"""Shared fixtures: a real database on every configured backend.

`COOPBOT_TEST_DATABASES` (comma-separated, default `sqlite,postgresql`) picks the backends;
`COOPBOT_TEST_POSTGRES_URL` points at PostgreSQL. An unreachable PostgreSQL fails the run rather
than skipping it: a skipped database test would hide exactly the failures it exists to catch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

import models
from bot.storage.db import Database
from bot.storage.migrate import upgrade

POSTGRES_URL = os.environ.get("COOPBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b.strip() for b in os.environ.get("COOPBOT_TEST_DATABASES", "sqlite,postgresql").split(",") if b]


def _private_schema(url: str) -> tuple[str, Callable[[], None]]:
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


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One migrated database per backend for the whole session."""
    urls: dict[str, str] = {}
    cleanups: list[Callable[[], None]] = []
    for backend in BACKENDS:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'coopbot.db'}"
        elif backend == "postgresql":
            url, drop = _private_schema(POSTGRES_URL)
            cleanups.append(drop)
        else:
            raise pytest.UsageError(f"unknown backend {backend!r} in COOPBOT_TEST_DATABASES")
        upgrade(url)
        urls[backend] = url
    yield urls
    for cleanup in cleanups:
        cleanup()


def _wipe(database: Database) -> None:
    with database.transaction() as session:
        for table in reversed(models.Base.metadata.sorted_tables):
            session.execute(table.delete())


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, database_urls: dict[str, str]) -> Iterator[Database]:
    """A `Database` on a freshly emptied schema, once per backend."""
    database = Database(database_urls[request.param])
    _wipe(database)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def tmp_csv(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a CSV file (UTF-8) and return its path."""

    def write(name: str, content: str) -> Path:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def harness(db: Database, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The running app with a seeded roster, on each database backend."""
    from tests.harness import running_app, seed_roster

    seed_roster(db, tmp_path)
    with running_app(db) as h:
        yield h
