"""A thread pool for Bolt's listeners that knows when it is idle, and lets Bolt answer at the ack.

Bolt answers Slack as soon as a listener calls ack() and finishes the listener in this pool. Graceful
shutdown waits for that unfinished work; tests wait for it before looking at the results. A listener
handed over from a request thread marked by bot.serving.ack_signal is waited for here, until it acknowledges
or ends, so Bolt's 10 ms polling loop finds the answer ready (see that module).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from typing import Any

from bot.installs.scope import scoped, take_pending
from bot.serving import ack_signal
from bot.storage.db import waiting_at_most

# How long a Slack request's listener may wait for a database lock: Slack gives the whole request 3 s, and
# a refusal must still reach the person inside them (bot.storage.db.waiting_at_most).
REQUEST_LOCK_WAIT_SECONDS = 2.0


class TrackedExecutor(ThreadPoolExecutor):
    def __init__(self, max_workers: int = 16) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._busy = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        acknowledged = ack_signal.take_waiting()  # before copying the context: the listener's own is clear
        tenant = take_pending()  # OAuth mode: the request's tenant, for everything the listener reads
        with self._idle:
            self._busy += 1

        def tracked() -> Any:
            with scoped(tenant) if tenant is not None else nullcontext():
                return run()

        def run() -> Any:
            try:
                if acknowledged is None:  # not a Slack request's listener: no one waits for an answer
                    return fn(*args, **kwargs)
                with waiting_at_most(REQUEST_LOCK_WAIT_SECONDS):
                    return fn(*args, **kwargs)
            finally:
                if acknowledged is not None:
                    acknowledged.set()  # ended without acknowledging: Bolt's loop must not wait for it
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

        future = super().submit(contextvars.copy_context().run, tracked)
        if acknowledged is not None:
            acknowledged.wait(ack_signal.ACK_DEADLINE_SECONDS)
        return future

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no listener is running; False if `timeout` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)
