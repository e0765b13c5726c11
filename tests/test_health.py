"""/healthz tells the truth about writing: a database that is reachable but cannot take a write (a lock held
elsewhere, a full disk) reads "degraded" with the reason, within about a second, and "ok" again after."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from tests.support.harness import Harness


def _health(h: Harness) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    with urllib.request.urlopen(h.server.url + "/healthz", timeout=10) as response:
        assert response.status == 200  # the process is sound: a restart would not help
        return dict(json.loads(response.read())), time.monotonic() - started


@contextmanager
def _writer_held_elsewhere(h: Harness) -> Iterator[None]:
    """Another process's transaction holding the write lock (SQLite) or the table (PostgreSQL)."""
    url = h.db.engine.url
    if h.db.is_sqlite:
        other = sqlite3.connect(str(url.database), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    with psycopg.connect(h.db.url.replace("postgresql+psycopg://", "postgresql://"), autocommit=False) as other:
        other.execute("LOCK TABLE processed_request IN ACCESS EXCLUSIVE MODE")
        yield
        other.rollback()


def test_healthz_says_degraded_while_the_database_is_locked(harness: Harness) -> None:
    h = harness
    state, _ = _health(h)
    assert state["status"] == "ok" and state["database"] == "ok"
    with _writer_held_elsewhere(h):
        state, took = _health(h)
    assert state["status"] == "degraded" and state["database"].startswith("locked: a write waited more than 1 s")
    assert took < 5
    state, _ = _health(h)
    assert state["status"] == "ok" and state["database"] == "ok"


def test_healthz_says_degraded_when_the_database_is_full(harness: Harness) -> None:
    """SQLite's max_page_count stands in for a full disk: the same error (SQLITE_FULL) a commit meets there."""
    h = harness
    if not h.db.is_sqlite:
        pytest.skip("a full disk is simulated with SQLite's max_page_count; PostgreSQL has no such limit")

    with sqlite3.connect(str(h.db.engine.url.database)) as probe:
        pages = probe.execute("PRAGMA page_count").fetchone()[0] + 2

    def cap(connection: Any) -> None:  # on every transaction of every connection, the app's threads' included
        connection.exec_driver_sql(f"PRAGMA max_page_count = {pages}")

    event.listen(h.db.engine, "begin", cap)
    try:
        with pytest.raises(OperationalError, match="full"):  # fill the last pages, committing as we go
            for n in range(100_000):
                with h.db.transaction() as session:
                    session.execute(text("INSERT INTO processed_request (key, created_at) VALUES (:k, :at)"),
                                    {"k": f"f{n}", "at": "2026-01-01 00:00:00"})  # smaller than a probe
        state, _ = _health(h)
        assert state["status"] == "degraded" and state["database"] == "cannot write: database or disk is full"
    finally:
        event.remove(h.db.engine, "begin", cap)
        with h.db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA max_page_count = 1073741823")
        h.db.engine.dispose()
    assert _health(h)[0]["status"] == "ok"
