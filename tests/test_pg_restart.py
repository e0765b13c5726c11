"""PostgreSQL restarted while reports flow in: some requests fail during the restart, none is lost or
doubled once it is back, and the app recovers without a restart (pool_pre_ping).

This restarts the *shared* server, so it runs only when asked: `COOPBOT_TEST_PG_RESTART=1`.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select

from bot.devtools.slack_requests import fill
from models.problem import Problem
from tests.support.harness import CHANNEL, TEACHER, Harness

pytestmark = [pytest.mark.pg_restart,
              pytest.mark.skipif(os.environ.get("COOPBOT_TEST_PG_RESTART") != "1",
                                 reason="restarts the shared PostgreSQL; set COOPBOT_TEST_PG_RESTART=1")]


def _restart_postgres() -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True,
                   timeout=120, capture_output=True)


def _wait_for_postgres(timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            assert time.monotonic() < deadline, "PostgreSQL did not come back"
            time.sleep(0.2)


def test_postgres_restarted_under_load(harness: Harness) -> None:
    h = harness
    if h.db.is_sqlite:
        pytest.skip("restarts PostgreSQL")
    intern = str(h.intern_id("S2024001"))
    sent: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}  # description -> (view, values)
    stored: set[str] = set()
    stop = threading.Event()

    def submit(description: str) -> None:
        view, values = sent[description]
        try:
            reply = h.slack.view_submission(view, values, user_id=TEACHER)
        except OSError:
            return
        if reply.status == 200 and reply.text == "":
            stored.add(description)

    def traffic() -> None:
        n = 0
        while not stop.is_set() or n < 10:
            n += 1
            try:
                view = h.open_modal("/intern-issue", TEACHER)
            except (AssertionError, OSError):
                time.sleep(0.05)
                continue
            description = f"restart load {n}"
            sent[description] = (view, fill(view, {"intern_id": intern, "category": "safety", "severity": "p3",
                                                   "description": description,
                                                   "occurred_on": time.strftime("%Y-%m-%d")}))
            submit(description)

    worker = threading.Thread(target=traffic)
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while len(stored) < 2 and time.monotonic() < deadline:  # requests are flowing
            time.sleep(0.05)
        _restart_postgres()
    finally:
        _wait_for_postgres()
        stop.set()
        worker.join(120)
    for description in list(sent):  # Slack retries what failed; what succeeded it may retry too
        submit(description)
    h.deliver()
    with h.db.session() as session:
        descriptions = session.scalars(select(Problem.description)).all()
    assert stored and set(stored) <= set(descriptions)
    assert len(descriptions) == len(set(descriptions))  # nothing doubled
    assert set(descriptions) == stored  # nothing lost: every submission that was sent is stored once
    posted = [m for m in h.channel_messages(CHANNEL) if "restart load" in str(m.get("blocks"))]
    assert len(posted) == len(descriptions)
