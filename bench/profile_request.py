"""Profile coopbot's own work per Slack request, in-process (no HTTP, no load generator).

    python bench/profile_request.py [N]

Dispatches N signed `/intern-issue` commands and N report submissions straight into the Bolt app
(with the fake Slack on loopback) and prints the top of cProfile by cumulative time, so what dominates
our part of the request path is visible without the noise of sockets and other processes.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yappi

from bench import loadgen
from bot.serving.slack_body import SlackRequest
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from tests.support.harness import TEACHER, running_app, seed_roster
from tests.support.slack import SIGNING_SECRET


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/profile.db"
        upgrade(url)
        db = Database(url)
        seed_roster(db, Path(tmp))
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

            for label, make in (("slash command", lambda: loadgen.command_body(TEACHER)),
                                ("view submission", lambda: loadgen.submission_body(TEACHER, intern_id))):
                for _ in range(20):
                    dispatch(make)
                h.settle()
                yappi.clear_stats()
                yappi.set_clock_type("cpu")
                started, cpu = time.perf_counter(), time.process_time()
                yappi.start()
                for _ in range(n):
                    dispatch(make)
                h.settle()
                yappi.stop()
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                print(f"\n=== {label}: {elapsed / n * 1000:.2f} ms wall, {cpu / n * 1000:.2f} ms CPU per request "
                      "(profiled, all threads)")
                stats = yappi.get_func_stats()
                stats.sort("ttot", "desc")
                for entry in list(stats)[:40]:
                    if any(part in entry.module for part in ("/bot/", "/handlers/", "sqlalchemy/engine/base",
                                                             "slack_sdk/web/base_client", "pydantic/main",
                                                             "sqlite3", "babel", "slack_bolt/app/app")):
                        print(f"{entry.ttot / n * 1000:8.3f} ms  {entry.ncall / n:6.1f}×  "
                              f"{entry.module.split('site-packages/')[-1].split('/work/main/')[-1]}:{entry.name}")


if __name__ == "__main__":
    main()
