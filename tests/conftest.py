"""Fixtures that tests in several directories use: a real database on every configured backend, the running
app on it, a fake Slack, a translator per language. Helpers that are not fixtures are in tests/support.

`COOPBOT_TEST_DATABASES` (comma-separated, default `sqlite,postgresql`) picks the backends;
`COOPBOT_TEST_POSTGRES_URL` points at PostgreSQL. An unreachable PostgreSQL fails the run rather
than skipping it: a skipped database test would hide exactly the failures it exists to catch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.devtools.fake_slack import FakeSlack
from bot.i18n.catalog import Translator, available_languages, translator
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from tests.support.databases import BACKENDS, POSTGRES_URL, private_schema, wipe
from tests.support.harness import running_app, seed_roster
from tests.support.slack import BOT_TOKEN


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked pg_restart restarts the PostgreSQL server under every other worker's connections: in a
    parallel run (pytest-xdist) it fails at once instead, saying how to run it."""
    parallel = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1
    if parallel and item.get_closest_marker("pg_restart") and "postgresql" in BACKENDS:
        pytest.fail("restarts PostgreSQL under the other workers: run the tests marked pg_restart alone "
                    "(`pytest -m pg_restart`) and the rest in parallel with -m 'not pg_restart', as `make test` does",
                    pytrace=False)


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One migrated database per backend for the whole session."""
    urls: dict[str, str] = {}
    cleanups: list[Callable[[], None]] = []
    for backend in BACKENDS:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'coopbot.db'}"
        elif backend == "postgresql":
            url, drop = private_schema(POSTGRES_URL)
            cleanups.append(drop)
        else:
            raise pytest.UsageError(f"unknown backend {backend!r} in COOPBOT_TEST_DATABASES")
        upgrade(url)
        urls[backend] = url
    yield urls
    for cleanup in cleanups:
        cleanup()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, database_urls: dict[str, str]) -> Iterator[Database]:
    """A `Database` on a freshly emptied schema, once per backend."""
    database = Database(database_urls[request.param])
    wipe(database)
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
    seed_roster(db, tmp_path)
    with running_app(db) as h:
        yield h


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A fake Slack Web API on loopback that accepts BOT_TOKEN."""
    with FakeSlack(bot_token=BOT_TOKEN) as server:
        yield server


@pytest.fixture(params=available_languages())
def t(request: pytest.FixtureRequest) -> Translator:
    """A translator, once per language with a catalog."""
    return translator(request.param)
