"""Answer Slack the moment a listener acknowledges, not at Bolt's next 10 ms look.

Bolt runs each listener in its executor while the request thread polls `ack.response`, sleeping 10 ms
between looks (slack_bolt.listener.thread_runner). So a request acknowledged after 1 ms is answered
after 10, one acknowledged after 11 ms after 20, and under load every waiting request thread wakes a
hundred times a second to look, competing for the interpreter with the threads doing the work.

Here each request's `ack` sets an event when called. Bolt hands the listener to our executor from the
request thread (bot.serving.executor.TrackedExecutor.submit), which waits on that event, or on the listener's
end, before returning to Bolt's loop; the loop then finds the response already set and never sleeps.
If neither comes within Slack's deadline, Bolt's loop decides as it always did.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from slack_bolt import Ack, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

ACK_DEADLINE_SECONDS = 3.0  # Slack's; Bolt's own loop gives up at the same point (listener.ack_timeout)

# The request thread's event, from the middleware to the executor's submit, in the same Bolt dispatch.
_waiting: ContextVar[threading.Event | None] = ContextVar("coopbot_ack_waiting", default=None)


class SignallingAck(Ack):
    """Bolt's Ack, which also sets `acknowledged` once the response is in place."""

    def __init__(self, acknowledged: threading.Event) -> None:
        super().__init__()
        self.acknowledged = acknowledged

    def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        try:
            return super().__call__(*args, **kwargs)
        finally:
            self.acknowledged.set()


class SignalAcks(Middleware):
    """Gives the request an `ack` that signals, and tells this thread's next listener hand-off to wait for it.

    A plain Middleware (not a decorated function): Bolt calls it without building keyword arguments."""

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:
        acknowledged = threading.Event()
        req.context["ack"] = SignallingAck(acknowledged)
        _waiting.set(acknowledged)  # replaced by the next request of this thread if nothing takes it
        return next()


def take_waiting() -> threading.Event | None:
    """The event a listener handed off from this thread must set (once: the listener's own hand-offs,
    if any, do not wait)."""
    acknowledged = _waiting.get()
    if acknowledged is not None:
        _waiting.set(None)
    return acknowledged


__all__ = ["ACK_DEADLINE_SECONDS", "SignalAcks", "SignallingAck", "take_waiting"]
