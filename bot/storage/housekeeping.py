"""Deleting records that have served their purpose, so the database does not grow with every message.

A delivered outbox row keeps a message's payload (its text and blocks) only to be sent; once sent, the
message's `ts` lives on in `slack_message`, which updates and thread replies use, so the row is dead
weight — except a keyed post's: the workflows find the DMs they must later update (an exchange's review
requests, an internship's evaluation requests) by looking for the posts written under a key, and to whom
(bot.exchanges.notify, bot.internships.notify). Those rows stay; they are one per message a person may act
on, while the bulk (App Home views, notices, updates) goes.

A processed-request row guards against Slack retrying a submission or an event, which Slack does within
minutes. Both kinds of record are kept `COOPBOT_RETENTION_DAYS` (90 by default) for whoever investigates a
delivery, then deleted by the daily `housekeeping` job. Undelivered, parked and failed messages are kept
whatever their age (they still say what went wrong), and so is the audit record.

OAuth mode: slack_sdk's state store deletes a state when its installer comes back; one whose installer never
did (a closed tab) is deleted here once it has expired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, select

from bot.storage.db import Database
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus, ProcessedRequest
from models.installation import slack_oauth_states

BATCH = 2000  # rows per transaction: on SQLite each one holds the writer lock that requests wait for


@dataclass(frozen=True)
class Pruned:
    delivered_messages: int
    processed_requests: int
    oauth_states: int = 0  # abandoned installs' expired states (OAuth mode)

    @property
    def total(self) -> int:
        return self.delivered_messages + self.processed_requests + self.oauth_states


def prune(db: Database, now: datetime, retention: timedelta) -> Pruned:
    """Delete delivered outbox rows and processed-request records older than `retention`."""
    cutoff = now - retention
    keyed_post = and_(OutboxMessage.kind == OutboxKind.POST, OutboxMessage.message_key.is_not(None))
    delivered = _delete_in_batches(db, OutboxMessage.id, (OutboxMessage.status == OutboxStatus.SENT,
                                                          OutboxMessage.delivered_at < cutoff, ~keyed_post))
    processed = _delete_in_batches(db, ProcessedRequest.key, (ProcessedRequest.created_at < cutoff,))
    with db.transaction() as session:  # few rows: one per install attempt; naive UTC, as slack_sdk writes them
        states = session.execute(delete(slack_oauth_states)
                                 .where(slack_oauth_states.c.expire_at < now.astimezone(UTC).replace(tzinfo=None)))
    return Pruned(delivered, processed, int(getattr(states, "rowcount", 0) or 0))


def _delete_in_batches(db: Database, key: Any, where: Sequence[ColumnElement[bool]]) -> int:
    """Delete the rows matching `where`, BATCH at a time, each batch in its own short transaction."""
    deleted = 0
    while True:
        with db.transaction() as session:
            keys = list(session.scalars(select(key).where(*where).limit(BATCH)))
            if keys:
                session.execute(delete(key.class_).where(key.in_(keys)))
        deleted += len(keys)
        if len(keys) < BATCH:
            return deleted


__all__ = ["BATCH", "Pruned", "prune"]
