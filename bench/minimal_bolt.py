"""The floors: a Bolt app doing the least possible (ack, then one Web API call), and the persist floor, the
same app storing each submission durably before its `ack()` (the report and one outbox row, one transaction).

    python bench/minimal_bolt.py PORT           # Bolt's built-in server, as the samples do
    gunicorn -w 2 -k gthread --threads 8 'bench.minimal_bolt:wsgi()'   # through Bolt's WSGI adapter
    FLOOR_DATABASE=sqlite:///f.db gunicorn … 'bench.minimal_bolt:wsgi_persist()'   # or postgresql://…

The persist floor's store: SQLite in WAL mode with `synchronous=NORMAL` (what coopbot uses), or PostgreSQL, a
connection per thread and no ORM: the least a durable store before the ack can cost.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

VIEW = {"type": "modal", "callback_id": "problem_report", "title": {"type": "plain_text", "text": "Log"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}]}
SCHEMA = ("CREATE TABLE floor_report (id {serial} PRIMARY KEY, reporter VARCHAR(32) NOT NULL, "
          "answers TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL)",
          "CREATE TABLE floor_outbox (id {serial} PRIMARY KEY, report_id INTEGER NOT NULL, "
          "channel VARCHAR(32) NOT NULL, payload TEXT NOT NULL, status VARCHAR(16) NOT NULL)")


def build(store: Callable[[dict[str, Any]], None] | None = None) -> App:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = App(signing_secret=os.environ["SLACK_SIGNING_SECRET"], client=client)

    @app.command("/intern-issue")
    def command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=VIEW)

    @app.view("problem_report")
    def submission(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        if store is not None:
            store(body)
        ack()
        client.chat_postMessage(channel="C0PARTNER", text="reported")

    return app


def wsgi() -> SlackRequestHandler:
    return SlackRequestHandler(build())


def wsgi_persist() -> SlackRequestHandler:
    return SlackRequestHandler(build(store_for(os.environ["FLOOR_DATABASE"])))


def prepare(url: str) -> None:
    """Create the persist floor's two tables, empty (run once, before the server starts)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            for table in ("floor_outbox", "floor_report"):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in SCHEMA:
                conn.execute(statement.format(serial="INTEGER"))
        return
    import psycopg

    with psycopg.connect(_pg(url), autocommit=True) as conn:
        for table in ("floor_outbox", "floor_report"):
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in SCHEMA:
            conn.execute(statement.format(serial="SERIAL"))


def store_for(url: str) -> Callable[[dict[str, Any]], None]:
    """One transaction per submission: the report, then its outbox row; a connection per thread."""
    local = threading.local()

    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")

        def connect_sqlite() -> Any:
            conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            return conn

        def store_sqlite(body: dict[str, Any]) -> None:
            conn = getattr(local, "conn", None) or _keep(local, connect_sqlite())
            conn.execute("BEGIN IMMEDIATE")
            try:
                report = conn.execute("INSERT INTO floor_report (reporter, answers, created_at) VALUES (?, ?, ?)",
                                      (body["user"]["id"], json.dumps(body["view"]["state"]), time.time())).lastrowid
                conn.execute("INSERT INTO floor_outbox (report_id, channel, payload, status) VALUES (?, ?, ?, ?)",
                             (report, "C0PARTNER", "reported", "pending"))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

        return store_sqlite

    import psycopg

    def store_pg(body: dict[str, Any]) -> None:
        conn = getattr(local, "conn", None) or _keep(local, psycopg.connect(_pg(url)))
        with conn.transaction():
            report = conn.execute("INSERT INTO floor_report (reporter, answers, created_at) VALUES (%s, %s, %s) "
                                  "RETURNING id", (body["user"]["id"], json.dumps(body["view"]["state"]),
                                                   time.time())).fetchone()[0]
            conn.execute("INSERT INTO floor_outbox (report_id, channel, payload, status) VALUES (%s, %s, %s, %s)",
                         (report, "C0PARTNER", "reported", "pending"))

    return store_pg


def _keep(local: threading.local, conn: Any) -> Any:
    local.conn = conn
    return conn


def _pg(url: str) -> str:
    """A libpq URL from SQLAlchemy's (`postgresql+psycopg://…`)."""
    return "postgresql://" + url.split("://", 1)[1]


if __name__ == "__main__":
    build().start(port=int(sys.argv[1]))
