"""The delivery worker: sends outbox rows to Slack, in order per channel, retrying what can succeed.

Rules (see docs/decisions/0002-outbox.md):
- Rows of one channel go out in the order they were written; a row waiting to be retried holds back
  the later rows of its channel, so an update never overtakes its post.
- 429 waits for Retry-After; 5xx, timeouts and connection errors back off exponentially.
- "Bot not in channel"-type errors park the row (retried every 15 minutes, or at once when the bot
  joins the channel) and tell the person who caused it how to fix it.
- A post records its `ts` under its message key once; updates use it with `chat.update`.
"""

from __future__ import annotations

import base64
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot import outbox
from bot.db import Database
from bot.i18n import translator
from bot.language import language_in
from models.base import utcnow
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus, SlackMessage

log = logging.getLogger(__name__)

# Errors a person can fix (invite the bot, unarchive): park and retry later.
FIXABLE_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
# Errors retrying cannot fix: record and stop.
PERMANENT_ERRORS = frozenset({
    "account_inactive", "user_not_found", "invalid_blocks", "invalid_blocks_format", "msg_too_long",
    "no_text", "cant_update_message", "message_not_found", "edit_window_closed", "invalid_arguments",
    "restricted_action", "user_not_in_channel", "not_authorized",
})
UNSENT = (OutboxStatus.PENDING, OutboxStatus.PARKED)
PARK_RETRY = timedelta(minutes=15)
CLAIM_LEASE = timedelta(seconds=60)
MAX_BACKOFF = 300.0


@dataclass
class Outcome:
    """What one delivery attempt came to."""

    status: OutboxStatus
    ts: str | None = None
    error: str | None = None
    retry_in: float | None = None  # seconds; None when not retried
    channel: str | None = None  # where Slack says the post landed (a DM sent to a user id lands in "D…")


class DeliveryWorker:
    """Drains the outbox. Safe to run in several threads or processes: rows are claimed with a lease."""

    def __init__(self, db: Database, client: WebClient, *, max_attempts: int = 50,
                 clock: Callable[[], datetime] = utcnow, poll_seconds: float = 2.0) -> None:
        self.db = db
        self.client = client
        self.max_attempts = max_attempts
        self.clock = clock
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- running ---------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-delivery", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the delivery in flight, so nothing is left half-sent."""
        self._stop.set()
        outbox.wakeup_event().set()
        if self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        wake = outbox.wakeup_event()
        while not self._stop.is_set():
            wake.clear()
            try:
                sent = self.deliver_due()
            except Exception:  # a database hiccup must not kill the worker
                log.exception("outbox pass failed; retrying shortly")
                sent = 0
            if not sent:
                wake.wait(self.poll_seconds)

    def drain(self, timeout: float = 30.0) -> int:
        """Deliver until nothing is due (for `coopbot jobs run`); returns how many were handled."""
        deadline = self.clock() + timedelta(seconds=timeout)
        total = 0
        while self.clock() < deadline:
            handled = self.deliver_due()
            total += handled
            if not handled:
                break
        return total

    # --- one pass --------------------------------------------------------------------------------
    def deliver_due(self, limit: int = 50) -> int:
        """Claim due rows and deliver them in order per channel. Returns rows handled."""
        rows = self._claim(limit)
        held: set[str] = set()
        handled = 0
        for row in rows:
            if row.channel in held:
                self._release(row)
                continue
            outcome = self._attempt(row)
            self._record(row, outcome)
            handled += 1
            if outcome.status != OutboxStatus.SENT:
                held.add(row.channel)
        return handled

    def _claim(self, limit: int) -> list[OutboxMessage]:
        now = self.clock()
        with self.db.transaction() as session:
            heads: dict[str, int] = {channel: first for channel, first in session.execute(
                select(OutboxMessage.channel, func.min(OutboxMessage.id))
                .where(OutboxMessage.status.in_(UNSENT)).group_by(OutboxMessage.channel))}
            candidates = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status.in_(UNSENT), OutboxMessage.next_attempt_at <= now,
                       or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
                .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
            ).all()
            # Only a channel's head may go first; its successors follow in this pass if it succeeds.
            open_channels = {c.channel for c in candidates if heads.get(c.channel) == c.id}
            claimed = [c for c in candidates if c.channel in open_channels]
            for row in claimed:
                row.claimed_until = now + CLAIM_LEASE
            return claimed

    def _release(self, row: OutboxMessage) -> None:
        with self.db.transaction() as session:
            session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(claimed_until=None))

    # --- talking to Slack --------------------------------------------------------------------------
    def _attempt(self, row: OutboxMessage) -> Outcome:
        try:
            return self._call(row)
        except SlackApiError as exc:
            return self._classify(row, exc)
        except Exception as exc:  # connection refused, timeout, reset: Slack unreachable
            return Outcome(OutboxStatus.PENDING, error=f"{type(exc).__name__}: {exc}",
                           retry_in=self._backoff(row.attempts))

    def _call(self, row: OutboxMessage) -> Outcome:
        payload = row.payload
        if row.kind == OutboxKind.HOME:
            self.client.views_publish(user_id=row.user or "", view=payload["view"])
            return Outcome(OutboxStatus.SENT)
        if row.kind == OutboxKind.EPHEMERAL:
            self.client.chat_postEphemeral(channel=row.channel, user=row.user or "", text=payload["text"],
                                           blocks=payload.get("blocks"))
            return Outcome(OutboxStatus.SENT)
        if row.kind == OutboxKind.UPLOAD:
            return self._upload(row)
        with self.db.session() as session:
            posted = session.get(SlackMessage, row.message_key) if row.message_key else None
            parent = session.get(SlackMessage, row.thread_key) if row.thread_key else None
            if row.kind == OutboxKind.UPDATE:
                if posted is None:
                    return self._update_before_post(session, row)
                self.client.chat_update(channel=posted.channel, ts=posted.ts, text=payload["text"],
                                        blocks=payload.get("blocks") or [])
                return Outcome(OutboxStatus.SENT, ts=posted.ts)
            if posted is not None:  # already posted under this key (a redelivery): never post twice
                return Outcome(OutboxStatus.SENT, ts=posted.ts)
            if row.thread_key and parent is None:
                return Outcome(OutboxStatus.FAILED, error=f"thread parent {row.thread_key} was never posted")
        response = self.client.chat_postMessage(
            channel=row.channel, text=payload["text"], blocks=payload.get("blocks"),
            thread_ts=parent.ts if parent else None, unfurl_links=False, unfurl_media=False,
        )
        return Outcome(OutboxStatus.SENT, ts=str(response["ts"]), channel=response.get("channel"))

    def _upload(self, row: OutboxMessage) -> Outcome:
        """files_upload_v2 shares into a conversation, so a user id is first turned into their DM."""
        payload = row.payload
        channel = row.channel
        if channel[:1] in ("U", "W"):
            channel = str(self.client.conversations_open(users=channel)["channel"]["id"])
        self.client.files_upload_v2(channel=channel, content=base64.b64decode(payload["content_b64"]),
                                    filename=payload["filename"], title=payload["title"],
                                    initial_comment=payload["initial_comment"])
        return Outcome(OutboxStatus.SENT)

    def _update_before_post(self, session: Session, row: OutboxMessage) -> Outcome:
        """The post this update is for has not gone out: it is behind us in no channel (ordering), so
        it failed for good. Nothing to update."""
        return Outcome(OutboxStatus.FAILED, error=f"no message was posted under {row.message_key}")

    def _classify(self, row: OutboxMessage, exc: SlackApiError) -> Outcome:
        response = exc.response
        error = str(response.get("error") or "") if isinstance(response.data, dict) else ""
        status_code = response.status_code
        if status_code == 429 or error == "ratelimited":
            retry_after = _retry_after(response.headers)
            return Outcome(OutboxStatus.PENDING, error="ratelimited", retry_in=retry_after)
        if status_code >= 500:
            return Outcome(OutboxStatus.PENDING, error=f"http {status_code}", retry_in=self._backoff(row.attempts))
        if error in FIXABLE_ERRORS:
            return Outcome(OutboxStatus.PARKED, error=error, retry_in=PARK_RETRY.total_seconds())
        if error in PERMANENT_ERRORS:
            return Outcome(OutboxStatus.FAILED, error=error)
        return Outcome(OutboxStatus.PENDING, error=error or f"http {status_code}",
                       retry_in=self._backoff(row.attempts))

    @staticmethod
    def _backoff(attempts: int) -> float:
        return min(MAX_BACKOFF, 2.0 ** attempts) * random.uniform(0.8, 1.2)

    # --- recording the outcome ---------------------------------------------------------------------
    def _record(self, row: OutboxMessage, outcome: Outcome) -> None:
        now = self.clock()
        with self.db.transaction() as session:
            fresh = session.get(OutboxMessage, row.id, with_for_update=True)
            if fresh is None:
                return
            first_park = fresh.status != OutboxStatus.PARKED and outcome.status == OutboxStatus.PARKED
            fresh.attempts += 1
            fresh.claimed_until = None
            fresh.last_error = outcome.error
            fresh.status = outcome.status
            if outcome.status == OutboxStatus.SENT:
                fresh.delivered_at = now
                if (fresh.kind == OutboxKind.POST and fresh.message_key and outcome.ts
                        and session.get(SlackMessage, fresh.message_key) is None):
                    # chat.update needs the conversation id, not the user id a DM was addressed to
                    session.add(SlackMessage(key=fresh.message_key, channel=outcome.channel or fresh.channel,
                                             ts=outcome.ts))
            elif outcome.status == OutboxStatus.PENDING and fresh.attempts >= self.max_attempts:
                fresh.status = OutboxStatus.FAILED
            elif outcome.retry_in is not None:
                fresh.next_attempt_at = now + timedelta(seconds=outcome.retry_in)
            if outcome.status == OutboxStatus.SENT:
                log.info("delivered outbox %s (%s) to %s", fresh.id, fresh.kind.value, fresh.channel)
            else:
                log.warning("outbox %s (%s) to %s: %s -> %s", fresh.id, fresh.kind.value, fresh.channel,
                            outcome.error, fresh.status.value)
            if first_park and fresh.notify_user:
                self._tell_how_to_fix(session, fresh)

    @staticmethod
    def _tell_how_to_fix(session: Session, row: OutboxMessage) -> None:
        t = translator(language_in(session, None, row.notify_user or ""))
        text = t.gettext(
            "I could not post in <#{channel}> ({error}). Invite me there with `/invite @coopbot`: "
            "what you sent is saved and will be posted as soon as I am in the channel."
        ).format(channel=row.channel, error=row.last_error)
        outbox.post(session, channel=row.notify_user or "", text=text)


def requeue_channel(db: Database, channel: str) -> int:
    """Retry at once what was parked for `channel` (called when the bot joins it)."""
    with db.transaction() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.status == OutboxStatus.PARKED)
            .values(status=OutboxStatus.PENDING, next_attempt_at=utcnow())
        )
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            outbox._wake_after_commit(session)
        return count


def _retry_after(headers: Any) -> float:
    try:
        value = headers.get("Retry-After") or headers.get("retry-after")
        if isinstance(value, list):
            value = value[0]
        return max(1.0, float(value))
    except (TypeError, ValueError, AttributeError):
        return 30.0
