"""Profile coopbot's own work per Slack request, in-process (no HTTP, no load generator).

    python bench/profile_request.py [N] [--database sqlite|postgresql] [--only command|submission]
                                    [--statements]

Dispatches N signed `/intern-issue` commands and N report submissions straight into the Bolt app (with the fake
Slack on loopback) and prints the top of the profile by cumulative time, so what dominates our part of the
request path is visible without the noise of sockets and other processes. Only the request is profiled: the
harness starts no delivery worker, so the outbox rows a report adds wait, undelivered (request-only mode).

Besides the time, it counts per request the SQL statements each path sends (and, with `--statements`, lists
them once): on a machine shared with other work the counts and the profile's shares say more than wall time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yappi
from sqlalchemy import event

from bench import loadgen
from bot.serving.slack_body import SlackRequest
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from tests.support.databases import POSTGRES_URL, private_schema
from tests.support.harness import TEACHER, running_app, seed_roster
from tests.support.slack import SIGNING_SECRET

SHOWN = ("/bot/", "/handlers/", "sqlalchemy/engine/base", "sqlalchemy/orm/session", "slack_sdk/web/base_client",
         "pydantic/main", "sqlite3", "psycopg/cursor", "babel", "slack_bolt/app/app")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=300)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--only", choices=("command", "submission"))
    parser.add_argument("--statements", action="store_true", help="list one request's statements")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--match", default="", help="show only functions whose module or name contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        drop: Callable[[], None] | None = None
        if args.database == "postgresql":
            url, drop = private_schema(POSTGRES_URL)
        else:
            url = f"sqlite:///{tmp}/profile.db"
        try:
            upgrade(url)
            db = Database(url)
            seed_roster(db, Path(tmp))
            profile(db, args)
            db.dispose()
        finally:
            if drop is not None:
                drop()


def profile(db: Database, args: argparse.Namespace) -> None:
    statements: Counter[str] = Counter()

    @event.listens_for(db.engine, "before_cursor_execute")
    def _count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements[" ".join(statement.split())[:110]] += 1

    with running_app(db) as h:
        intern_id = h.intern_id("S2024001")
        app = h.runtime.app

        def dispatch(make: Callable[[], tuple[bytes, str]]) -> None:
            body, content_type = make()
            headers: dict[str, str | Sequence[str]] = {
                "content-type": content_type,
                **{k.lower(): v for k, v in loadgen.sign(SIGNING_SECRET, body).items()}}
            response = app.dispatch(SlackRequest(body=body.decode(), headers=headers))
            assert response.status == 200, response.body
            assert not response.body or "errors" not in response.body, response.body

        paths = (("command", "slash command (modal open)", lambda: loadgen.command_body(TEACHER)),
                 ("submission", "view submission (report)", lambda: loadgen.submission_body(TEACHER, intern_id)))
        for name, label, make in paths:
            if args.only and args.only != name:
                continue
            for _ in range(20):
                dispatch(make)
            h.settle()
            statements.clear()
            dispatch(make)
            h.settle()
            one = dict(statements)
            statements.clear()
            yappi.clear_stats()
            yappi.set_clock_type("cpu")
            started, cpu = time.perf_counter(), time.process_time()
            yappi.start()
            for _ in range(args.n):
                dispatch(make)
            h.settle()
            yappi.stop()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            per_request = sum(statements.values()) / args.n
            transactions = sum(n for s, n in statements.items() if s.startswith(("BEGIN", "COMMIT"))) / args.n
            print(f"\n=== {label} on {db.engine.dialect.name}: {elapsed / args.n * 1000:.2f} ms wall, "
                  f"{cpu / args.n * 1000:.2f} ms CPU per request (profiled, all threads); "
                  f"{per_request:.1f} SQL statements per request ({transactions:.1f} of them BEGIN/COMMIT)")
            if args.statements:
                for statement, count in one.items():
                    print(f"    {count}× {statement}")
            stats = yappi.get_func_stats()
            stats.sort("ttot", "desc")
            total = cpu  # the shares are of all profiled CPU (request thread, listener thread, fake Slack)
            for entry in list(stats)[:args.top * 3]:
                if any(part in entry.module for part in SHOWN) and args.match in f"{entry.module}:{entry.name}":
                    share = f"{entry.ttot / total * 100:5.1f}%"
                    print(f"{entry.ttot / args.n * 1000:8.3f} ms {share} {entry.ncall / args.n:6.1f}×  "
                          f"{entry.module.split('site-packages/')[-1].split('/work/')[-1]}:{entry.name}")


if __name__ == "__main__":
    main()
