"""Slack may deliver a request more than once: an event again (`X-Slack-Retry-Num`, or the same `event_id`),
and a button click again (the same interaction, with its `trigger_id`). Each is acted on once.

A global Bolt middleware records the event id (`processed_request`, key `event:<id>`) or the click's trigger id
(`action:<trigger id>`) before the listener runs; a delivery already recorded is acknowledged and dropped in
silence — the person already has the first one's answer, so a retry must not add "Nothing changed" to it.
Recording first means a listener that fails is not run again by Slack's retry — the listeners behind these
events only requeue or publish, which the next event (or the 15-minute probe) does again anyway, and a click
that failed is clicked again (a new interaction, a new trigger id). Submissions are keyed by their view id in
the services themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from bot.storage.db import Database
from models.delivery import ProcessedRequest

log = logging.getLogger(__name__)

# Events that only render something for the person looking: re-running them changes nothing.
READ_ONLY_EVENTS = frozenset({"app_home_opened"})


def first_delivery(db: Database, key: str) -> bool:
    """Record the request (`event:<id>`, `action:<trigger id>`) as handled; False if it already was (by this
    or another replica)."""
    try:
        with db.transaction() as session:  # one insert: a repeat fails on the key (no lookup first)
            session.connection().execute(_RECORD, {"key": key[:128]})
    except IntegrityError:  # recorded already, by an earlier delivery or a concurrent one
        return False
    return True


_RECORD = insert(ProcessedRequest)  # built once (created_at: the column's default)


class _OncePerEvent(Middleware):
    """Acknowledges and drops a delivery of an event or a click already handled (a plain Middleware: Bolt calls
    it for every request without building keyword arguments)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:
        body = req.body
        kind = body.get("type")
        if kind == "block_actions":
            trigger_id = str(body.get("trigger_id") or "")
            if trigger_id and not first_delivery(self.db, f"action:{trigger_id}"):
                log.info("button click %s was already handled; acknowledged in silence", trigger_id[:24])
                return BoltResponse(status=200, body="")
            return next()
        if kind != "event_callback":
            return next()
        event_type = str((body.get("event") or {}).get("type") or "")
        event_id = str(body.get("event_id") or "")
        if not event_id or event_type in READ_ONLY_EVENTS:
            return next()
        if not first_delivery(self.db, f"event:{event_id}"):
            log.info("event %s (%s) was already handled; acknowledged without running it again",
                     event_id, event_type)
            return BoltResponse(status=200, body="")
        return next()


def register(app: App, db: Database) -> None:
    app.use(_OncePerEvent(db))


__all__ = ["READ_ONLY_EVENTS", "first_delivery", "register"]
