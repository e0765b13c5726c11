"""Slack may deliver an event more than once (`X-Slack-Retry-Num`, or the same `event_id` again): an
event that changes state is acted on once.

A global Bolt middleware records the event id (`processed_request`, key `event:<id>`) before the
listener runs; a delivery whose id is already recorded is acknowledged and dropped. Recording first
means a listener that fails is not run again by Slack's retry — the listeners behind these events only
requeue or publish, which the next event (or the 15-minute probe) does again anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from sqlalchemy.exc import IntegrityError

from bot.storage.db import Database
from models.delivery import ProcessedRequest

log = logging.getLogger(__name__)

# Events that only render something for the person looking: re-running them changes nothing.
READ_ONLY_EVENTS = frozenset({"app_home_opened"})


def first_delivery(db: Database, event_id: str) -> bool:
    """Record the event as handled; False if it already was (by this or another replica)."""
    try:
        with db.transaction() as session:
            if session.get(ProcessedRequest, f"event:{event_id}"[:128]) is not None:
                return False
            session.add(ProcessedRequest(key=f"event:{event_id}"[:128]))
    except IntegrityError:  # a concurrent delivery of the same event won the insert
        return False
    return True


class _OncePerEvent(Middleware):
    """Acknowledges and drops a delivery of an event already handled (a plain Middleware: Bolt calls it
    for every request without building keyword arguments, and most requests are not events)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:
        body = req.body
        if body.get("type") != "event_callback":
            return next()
        event_type = str((body.get("event") or {}).get("type") or "")
        event_id = str(body.get("event_id") or "")
        if not event_id or event_type in READ_ONLY_EVENTS:
            return next()
        if not first_delivery(self.db, event_id):
            log.info("event %s (%s) was already handled; acknowledged without running it again",
                     event_id, event_type)
            return BoltResponse(status=200, body="")
        return next()


def register(app: App, db: Database) -> None:
    app.use(_OncePerEvent(db))


__all__ = ["READ_ONLY_EVENTS", "first_delivery", "register"]
