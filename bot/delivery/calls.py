"""One delivery attempt: the Web API calls an outbox row stands for, and what their answer means.

Posts carry Slack message metadata (`event_type` coopbot_outbox, payload `{"id": row id}`). When a
row's previous attempt ended without us learning the outcome — the replica died with the row claimed,
or the call timed out after Slack may have taken it — the conversation's history since the row was
written is searched for that metadata before posting again, so the crash window between Slack's
success and our commit does not produce a second post.
"""

from __future__ import annotations

import base64
import http.client
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.delivery.fallback import is_dm_refusal
from bot.delivery.notices import CHANNEL_ERRORS, HOLD_ERRORS
from bot.delivery.outbox import content
from bot.storage.db import Database
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus, SlackMessage
from models.operations import ChannelAlert

log = logging.getLogger(__name__)

# Refusals a person can fix by inviting the bot or unarchiving: park the row (see bot.delivery.worker).
FIXABLE_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
# Errors retrying cannot fix: record and stop.
PERMANENT_ERRORS = frozenset({
    "user_not_found", "invalid_blocks", "invalid_blocks_format", "msg_too_long",
    "no_text", "cant_update_message", "message_not_found", "edit_window_closed", "invalid_arguments",
    "user_not_in_channel", "not_authorized", "invalid_metadata_format",
    "invalid_metadata_schema", "metadata_too_large",
}) | (CHANNEL_ERRORS - FIXABLE_ERRORS)
# The token itself is refused: every message fails alike until the operator fixes the credentials, so
# it is waited out like an outage instead of using up each message's attempts. (`account_inactive` is
# Slack's "token is for a deleted user or workspace": the bot's, not the recipient's.)
CREDENTIAL_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"})
# Slack's own trouble, answered with HTTP 200 and `ok: false`: an outage like a 5xx, never the message's
# fault. Slack says the operation may partly have happened, so a post is looked for before it is repeated.
TRANSIENT_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
PARK_RETRY = timedelta(minutes=15)
MAX_BACKOFF = 300.0
OUTBOX_EVENT = "coopbot_outbox"
UNKNOWN = "outcome unknown"  # prefix of `last_error` when Slack may have taken the last attempt
# The methods each kind of row calls, for rate limiting; and whether it is paced per conversation.
METHODS: dict[OutboxKind, tuple[tuple[str, ...], bool]] = {
    OutboxKind.POST: (("chat.postMessage",), True),
    OutboxKind.UPDATE: (("chat.update",), True),
    OutboxKind.EPHEMERAL: (("chat.postEphemeral",), False),
    OutboxKind.HOME: (("views.publish",), False),
    OutboxKind.UPLOAD: (("files.getUploadURLExternal", "files.completeUploadExternal"), True),
}
_LOOKUP_PAGES = 3
_UNCERTAIN_EXCEPTIONS = (TimeoutError, http.client.RemoteDisconnected, http.client.IncompleteRead,
                         ConnectionResetError)
# A call that timed out may still be acted on by Slack afterwards (seen up to seconds late). Its row is not
# tried again — which first looks for the message — until Slack can no longer be acting on the first try:
# a lookup sooner than that can miss a post that lands just after it, and the retry posts it twice.
TIMED_OUT_SETTLE_SECONDS = 60.0
TIMED_OUT = "timed out"  # in `last_error` after UNKNOWN: the row waits TIMED_OUT_SETTLE_SECONDS


@dataclass
class Outcome:
    """What one delivery attempt came to."""

    status: OutboxStatus
    ts: str | None = None
    error: str | None = None
    retry_in: float | None = None  # seconds; None when not retried
    channel: str | None = None  # where Slack says the post landed (a DM sent to a user id lands in "D…")
    method: str | None = None  # the Web API method that failed
    retry_after: float | None = None  # Slack's Retry-After, for the whole method
    # Slack could not be reached or would not take any message now (down, 5xx, rate limit, token refused):
    # says nothing about this message, so it never counts towards giving up on it.
    outage: bool = False
    # False when no call was made: held for an installation that is gone (OAuth mode), the row keeps its count
    counted: bool = True


def is_uncertain(row: OutboxMessage) -> bool:
    return (row.last_error or "").startswith(UNKNOWN)


class SlackCalls:
    """Makes the calls for one row and classifies the answer. Never raises for Slack's reasons."""

    def __init__(self, db: Database, client: WebClient,
                 render_home: Callable[[str], dict[str, Any]] | None = None,
                 route: Callable[[OutboxMessage], WebClient | None] | None = None,
                 held: tuple[str, float] = ("held", 300.0)) -> None:
        self.db = db
        self._client = client
        self.render_home = render_home  # renders an App Home asked for with outbox.refresh_home
        # OAuth mode: the client of the installation a row goes through, or None to hold the row (its
        # `last_error` and how long it waits: bot.installs.routing). Single-token mode: always `client`.
        self.route = route
        self.held = held
        self._local = threading.local()

    @property
    def client(self) -> WebClient:
        """The client for the row being delivered on this thread."""
        return getattr(self._local, "client", None) or self._client

    def _calling(self, method: str) -> None:
        self._local.method = method

    def attempt(self, row: OutboxMessage) -> Outcome:
        self._calling(METHODS[row.kind][0][0])
        self._local.client = None
        if self.route is not None:
            try:
                self._local.client = self.route(row)
            except Exception as exc:  # the database or a token refresh failed: like an outage, try again
                return Outcome(OutboxStatus.PENDING, error=f"{type(exc).__name__}: {exc}"[:500],
                               retry_in=backoff(row.attempts), outage=True)
            if self._local.client is None:  # uninstalled, or no installation yet: wait, never fail
                return Outcome(OutboxStatus.PENDING, error=self.held[0], retry_in=self.held[1], outage=True,
                               counted=False)
        try:
            outcome = self._call(row)
        except SlackApiError as exc:
            outcome = self._classify(row, exc)
        except TimeoutError:  # Slack has the request and may still act on it: look only once it cannot
            outcome = Outcome(OutboxStatus.PENDING, error=f"{UNKNOWN}: {TIMED_OUT}",
                              retry_in=max(backoff(row.attempts), TIMED_OUT_SETTLE_SECONDS), outage=True)
        except _UNCERTAIN_EXCEPTIONS as exc:  # the request may have reached Slack
            outcome = Outcome(OutboxStatus.PENDING, error=f"{UNKNOWN}: {type(exc).__name__}",
                              retry_in=backoff(row.attempts), outage=True)
        except Exception as exc:  # connection refused, DNS: Slack never saw it
            outcome = Outcome(OutboxStatus.PENDING, error=f"{type(exc).__name__}: {exc}"[:500],
                              retry_in=backoff(row.attempts), outage=isinstance(exc, OSError))
        if outcome.status != OutboxStatus.SENT:
            outcome.method = getattr(self._local, "method", None)
        return outcome

    def _call(self, row: OutboxMessage) -> Outcome:
        payload = content(row.payload)
        if row.kind == OutboxKind.HOME:
            view = payload["view"]
            if view is None:  # a refresh: render the home now, from what is committed
                if self.render_home is None:
                    return Outcome(OutboxStatus.FAILED, error="no App Home renderer in this process")
                view = self.render_home(row.user or "")
            self.client.views_publish(user_id=row.user or "", view=view)
            return Outcome(OutboxStatus.SENT)
        if row.kind == OutboxKind.EPHEMERAL:
            self.client.chat_postEphemeral(channel=row.channel, user=row.user or "", text=payload["text"],
                                           blocks=payload.get("blocks"))
            return Outcome(OutboxStatus.SENT)
        if row.kind == OutboxKind.UPLOAD:
            return self._upload(row)
        with self.db.session() as session:
            alert = session.get(ChannelAlert, row.channel) if _is_channel(row.channel) else None
            posted = session.get(SlackMessage, row.message_key) if row.message_key else None
            parent = session.get(SlackMessage, row.thread_key) if row.thread_key else None
        if alert is not None and alert.error in HOLD_ERRORS:  # disconnected from the enterprise: kept, not sent
            return Outcome(OutboxStatus.PARKED, error=alert.error, retry_in=PARK_RETRY.total_seconds())
        if row.kind == OutboxKind.UPDATE:
            if posted is None:
                # Its post is not behind it in the channel (ordering), so the post failed for good.
                return Outcome(OutboxStatus.FAILED, error=f"no message was posted under {row.message_key}")
            try:
                self.client.chat_update(channel=posted.channel, ts=posted.ts, text=payload["text"],
                                        blocks=payload.get("blocks") or [])
            except SlackApiError as exc:
                if not (payload.get("repost") and exc.response.get("error") == "message_not_found"):
                    raise
                return self._post(row, payload, posted.channel, None)  # someone deleted it: post it again
            return Outcome(OutboxStatus.SENT, ts=posted.ts)
        if posted is not None:  # already posted under this key (a redelivery): never post twice
            return Outcome(OutboxStatus.SENT, ts=posted.ts)
        if row.thread_key and parent is None:
            return Outcome(OutboxStatus.FAILED, error=f"thread parent {row.thread_key} was never posted")
        thread_ts = parent.ts if parent else None
        if is_uncertain(row):
            found = self._find_posted(row, thread_ts)
            if found is not None:
                log.info("outbox %s was already posted (found by its metadata); not posting again", row.id)
                return found
        return self._post(row, payload, row.channel, thread_ts)

    def _post(self, row: OutboxMessage, payload: dict[str, Any], channel: str, thread_ts: str | None) -> Outcome:
        self._calling("chat.postMessage")
        response = self.client.chat_postMessage(
            channel=channel, text=payload["text"], blocks=payload.get("blocks"), thread_ts=thread_ts,
            unfurl_links=False, unfurl_media=False,
            metadata={"event_type": OUTBOX_EVENT, "event_payload": {"id": row.id}},
        )
        landed = str(response.get("channel") or channel)
        if payload.get("pin"):  # e.g. the coopbot panel; a pin that fails leaves the post as it is
            try:
                self._calling("pins.add")
                self.client.pins_add(channel=landed, timestamp=str(response["ts"]))
            except SlackApiError as exc:
                log.info("could not pin outbox %s in %s (%s)", row.id, landed, exc.response.get("error"))
        return Outcome(OutboxStatus.SENT, ts=str(response["ts"]), channel=response.get("channel"))

    def _find_posted(self, row: OutboxMessage, thread_ts: str | None) -> Outcome | None:
        """Search the conversation (or the thread) since the row was written for a message carrying
        its metadata. Slack errors propagate: the row stays uncertain and is retried later."""
        channel = row.channel
        if channel[:1] in ("U", "W"):
            self._calling("conversations.open")
            channel = str(self.client.conversations_open(users=channel)["channel"]["id"])
        oldest = f"{(row.created_at - timedelta(minutes=1)).timestamp():.6f}"
        cursor: str | None = None
        for _ in range(_LOOKUP_PAGES):
            if thread_ts:
                self._calling("conversations.replies")
                page = self.client.conversations_replies(channel=channel, ts=thread_ts, oldest=oldest, limit=200,
                                                         include_all_metadata=True, cursor=cursor)
            else:
                self._calling("conversations.history")
                page = self.client.conversations_history(channel=channel, oldest=oldest, limit=200,
                                                         include_all_metadata=True, cursor=cursor)
            for message in page.get("messages") or []:
                metadata = message.get("metadata") or {}
                if (metadata.get("event_type") == OUTBOX_EVENT
                        and str((metadata.get("event_payload") or {}).get("id")) == str(row.id)):
                    return Outcome(OutboxStatus.SENT, ts=str(message["ts"]), channel=channel)
            cursor = ((page.get("response_metadata") or {}).get("next_cursor")) or None
            if not cursor:
                break
        return None

    def _upload(self, row: OutboxMessage) -> Outcome:
        """files_upload_v2 shares into a conversation, so a user id is first turned into their DM."""
        payload = row.payload
        channel = row.channel
        if channel[:1] in ("U", "W"):
            self._calling("conversations.open")
            channel = str(self.client.conversations_open(users=channel)["channel"]["id"])
        thread_ts = None
        if row.thread_key:
            with self.db.session() as session:
                parent = session.get(SlackMessage, row.thread_key)
            if parent is None:  # its post is not behind it in the channel (ordering), so the post failed for good
                return Outcome(OutboxStatus.FAILED, error=f"thread parent {row.thread_key} was never posted")
            thread_ts = parent.ts
        self._calling("files.getUploadURLExternal")
        self.client.files_upload_v2(channel=channel, content=base64.b64decode(payload["content_b64"]),
                                    filename=payload["filename"], title=payload["title"],
                                    initial_comment=payload["initial_comment"], thread_ts=thread_ts)
        return Outcome(OutboxStatus.SENT)

    def _classify(self, row: OutboxMessage, exc: SlackApiError) -> Outcome:
        response = exc.response
        error = str(response.get("error") or "") if isinstance(response.data, dict) else ""
        status_code = response.status_code
        api_url = str(getattr(response, "api_url", "") or "")
        if api_url:
            self._calling(api_url.rstrip("/").rsplit("/", 1)[-1])
        keep = UNKNOWN + ": " if is_uncertain(row) else ""  # a failed look-up leaves the row uncertain
        if status_code == 429 or error == "ratelimited":
            retry_after = _retry_after(response.headers)
            return Outcome(OutboxStatus.PENDING, error=keep + "ratelimited", retry_in=retry_after,
                           retry_after=retry_after, outage=True)
        if status_code >= 500:
            return Outcome(OutboxStatus.PENDING, error=f"{keep}http {status_code}", retry_in=backoff(row.attempts),
                           outage=True)
        if error in TRANSIENT_ERRORS:
            return Outcome(OutboxStatus.PENDING, error=f"{UNKNOWN}: {error}", retry_in=backoff(row.attempts),
                           outage=True)
        if error in CREDENTIAL_ERRORS:  # the method pauses as for a 429: one refusal, and one log line, a while
            log.error("Slack refuses the bot token (%s): check SLACK_BOT_TOKEN; messages wait until it works", error)
            return Outcome(OutboxStatus.PENDING, error=keep + error, retry_in=MAX_BACKOFF, retry_after=MAX_BACKOFF,
                           outage=True)
        if is_dm_refusal(row, error):  # held for the person and announced in their channel (bot.delivery.fallback)
            return Outcome(OutboxStatus.REDIRECTED, error=error)
        if error in FIXABLE_ERRORS or (error == "restricted_action" and _is_channel(row.channel)):
            # (restricted_action in a channel: a shared channel frozen by its disconnection, or posting
            # restricted; either is fixed by a person, then the post goes out)
            return Outcome(OutboxStatus.PARKED, error=error, retry_in=PARK_RETRY.total_seconds())
        if error in PERMANENT_ERRORS:
            return Outcome(OutboxStatus.FAILED, error=error)
        if keep and error in ("missing_scope", "not_allowed_token_type"):
            # No history scope: we cannot tell, so post (the residual risk of a duplicate is logged).
            log.warning("outbox %s: cannot look for an earlier post (%s); posting again", row.id, error)
            return Outcome(OutboxStatus.PENDING, error=error, retry_in=0.0)
        return Outcome(OutboxStatus.PENDING, error=keep + (error or f"http {status_code}"),
                       retry_in=backoff(row.attempts))


def _is_channel(conversation: str) -> bool:
    """A channel (C…, G…), not a person (U…, W…), a DM (D…) or an App Home."""
    return conversation[:1] in ("C", "G")


def backoff(attempts: int) -> float:
    return min(MAX_BACKOFF, 2.0 ** attempts) * random.uniform(0.8, 1.2)


def _retry_after(headers: Any) -> float:
    try:
        value = headers.get("Retry-After") or headers.get("retry-after")
        if isinstance(value, list):
            value = value[0]
        return max(1.0, float(value))
    except (TypeError, ValueError, AttributeError):
        return 30.0


__all__ = ["FIXABLE_ERRORS", "METHODS", "PERMANENT_ERRORS", "Outcome", "SlackCalls", "backoff", "is_uncertain"]
