"""`coopbot serve --workers N`: the same WSGI app in N processes under gunicorn (gthread workers), and one
delivery process beside them.

Python runs one thread at a time per process, so one process cannot use a second core; Bolt's own
floor (a minimal app under gunicorn 2 × 8) is two processes. Each worker process builds its own
runtime *after* the fork (its own database pool and scheduler candidate), exactly as separate replicas
would: the job ledger makes a second run of a period harmless. The outbox is delivered by one process of
its own at a lower CPU priority (bot.delivery.process), started before the workers and woken by them, so the
deliveries a burst of reports sets off never compete with the next acks.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.settings import Settings


class CoopbotGunicorn(BaseApplication):
    def __init__(self, build: Callable[[], Any], options: dict[str, Any],
                 on_exit: Callable[[], None] | None = None) -> None:
        self._build = build
        self._options = options
        self._on_exit = on_exit
        self._runtime: Any = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        self.cfg.set("worker_exit", self._worker_exit)
        self.cfg.set("on_exit", self._master_exit)

    def load(self) -> Any:
        """Runs in each worker after the fork: a runtime of its own, started, served."""
        from bot.serving.server import build_wsgi_app

        self._runtime = self._build()
        self._runtime.start()
        return build_wsgi_app(self._runtime.app, self._runtime.health, self._runtime.metrics, self._runtime.guard,
                              self._runtime.services.held.download)

    def _worker_exit(self, _server: Any, _worker: Any) -> None:
        """Graceful stop of one worker: listeners finish, the delivery in flight completes."""
        if self._runtime is not None:
            self._runtime.stop()

    def _master_exit(self, _server: Any) -> None:
        """The server stops: the delivery process finishes what it is sending, then stops too."""
        if self._on_exit is not None:
            self._on_exit()


def serve_with_workers(settings: Settings, *, host: str, port: int, workers: int, threads: int,
                       with_scheduler: bool) -> None:
    from bot.delivery import outbox
    from bot.delivery.process import DeliveryProcess, DeliveryStatus
    from bot.delivery.wake_link import WakeSender
    from bot.serving.runtime import build_runtime

    delivery = DeliveryProcess(settings).start()  # forked before gunicorn forks the request workers

    def build() -> Any:
        outbox.forward_wakes(WakeSender(delivery.port))
        return build_runtime(settings, with_scheduler=with_scheduler,
                             delivery=DeliveryStatus(delivery.heartbeat, delivery.token_refused))

    options = {
        "bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": threads,
        "graceful_timeout": 15, "timeout": 60, "keepalive": 5, "accesslog": None, "errorlog": "-",
        "loglevel": "warning", "proc_name": "coopbot", "limit_request_line": 8190,
    }
    print(f"coopbot listening on http://{host}:{port}/slack/events ({workers} workers × {threads} threads, "
           "deliveries in a process of their own)",
          file=sys.stderr)
    try:
        CoopbotGunicorn(build, options, on_exit=delivery.stop).run()
    finally:
        delivery.stop()
