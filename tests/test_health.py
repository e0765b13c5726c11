"""/healthz tells the truth about writing: a database that is reachable but cannot take a write (here a lock
held by another connection) reads "degraded" with the reason, within about a second, and "ok" again after."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

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

