"""What the sandbox page shows, kept from what the app sent to the fake Slack.

The fake already keeps channel messages (edits applied), views and files. This adds what only a client
knows: who is looking (the person picker), which modals are open for whom (views.open is matched to the
person by the trigger_id we sent), and ephemeral replies (chat.postEphemeral, response_url posts, slash
command acks), which only their recipient sees and only until their client session ends (the page is
reloaded, or it acts as someone else), and how far each person has read each conversation (the unread badge).
A version number moves on every change so the page can long-poll for news.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.fake_slack_api import METHODS, SlackError, _new_view


@dataclass
class _ReplyTarget:
    """Where a response_url's posts belong: the person, the conversation, and the message acted on."""

    user: str
    channel: str
    message_ts: str | None = None


@dataclass
class SandboxState:
    fake: FakeSlack
    me: str
    ephemerals: list[dict[str, Any]] = field(default_factory=list)  # until the person's session ends (below)
    read_up_to: dict[tuple[str, str], float] = field(default_factory=dict)  # (person, conversation) → last ts read
    stacks: dict[str, list[str]] = field(default_factory=dict)  # person → open modal view ids, root first
    notices: list[str] = field(default_factory=list)  # sandbox-level messages (e.g. a request failed)
    _triggers: dict[str, str] = field(default_factory=dict)  # trigger_id → person
    _targets: dict[str, _ReplyTarget] = field(default_factory=dict)  # response_url name → target
    closed: bool = False  # set on shutdown so no long-poll holds a server thread
    _version: int = 0
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.fake.observers.append(self._observe)

    # -- versioning ------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        with self._changed:
            return self._version

    def bump(self) -> None:
        with self._changed:
            self._version += 1
            self._changed.notify_all()

    def wait_newer(self, since: int, timeout: float) -> int:
        """Block until the version passes `since` (or `timeout` runs out); the version then."""
        with self._changed:
            self._changed.wait_for(lambda: self._version != since or self.closed, timeout)
            return self._version

    # -- what we send the app ---------------------------------------------------------------------
    def trigger_for(self, user: str) -> str:
        """A trigger_id for a request made by `user`, remembered so the modal it opens is theirs."""
        trigger = f"{int(time.time())}.{next(self._seq)}.{user.lower()}"
        self._triggers[trigger] = user
        return trigger

    def response_url_for(self, user: str, channel: str, message_ts: str | None = None) -> str:
        name = f"r{next(self._seq)}"
        self._targets[name] = _ReplyTarget(user, channel, message_ts)
        return self.fake.response_url(name)

    def add_ephemeral(self, user: str, channel: str, reply: dict[str, Any]) -> None:
        with self.fake._lock:
            ts = self.fake._next_ts()
        self.ephemerals.append({"user": user, "channel": channel, "ts": ts, "ephemeral": True,
                                "text": str(reply.get("text") or ""), "blocks": reply.get("blocks") or [],
                                "bot_id": self.fake.bot_id, "user_id": self.fake.bot_user_id})
        self.bump()

    def end_session(self, user: str | None = None) -> None:
        """A person's client session ended (None: the page's, for everyone it showed): their ephemeral replies go,
        as Slack's do on a reload or in another client."""
        self.ephemerals = [] if user is None else [e for e in self.ephemerals if e["user"] != user]
        self.bump()

    # -- read and unread --------------------------------------------------------------------------
    def unread(self, user: str, channel: str) -> int:
        """Messages in `channel` that others posted after `user` last read it."""
        seen = self.read_up_to.get((user, channel), 0.0)
        return sum(1 for m in self.fake.messages(channel) if m.get("user") != user and float(m["ts"]) > seen)

    def mark_read(self, user: str, channel: str) -> None:
        """`user` has seen everything in `channel` so far."""
        latest = max((float(m["ts"]) for m in self.fake.messages(channel)), default=0.0)
        if latest > self.read_up_to.get((user, channel), 0.0):
            self.read_up_to[(user, channel)] = latest
            self.bump()

    def post_as_bot(self, channel: str, reply: dict[str, Any], thread_ts: str | None = None) -> None:
        """An in_channel answer: Slack posts it as a message (here through the fake's own chat.postMessage)."""
        try:
            with self.fake._lock:
                METHODS["chat.postMessage"](self.fake, {"channel": channel, "text": reply.get("text") or " ",
                                                        "blocks": reply.get("blocks"), "thread_ts": thread_ts})
        except SlackError:  # e.g. the bot is not in the channel: show it to the person at least
            self.add_ephemeral(self.me, channel, reply)
        self.bump()

    # -- modals -----------------------------------------------------------------------------------
    def modal_of(self, user: str) -> tuple[dict[str, Any] | None, int]:
        stack = [v for v in self.stacks.get(user, []) if v in self.fake.views]
        self.stacks[user] = stack
        return (dict(self.fake.views[stack[-1]]) if stack else None), len(stack)

    def close_top(self, user: str) -> None:
        if self.stacks.get(user):
            self.stacks[user].pop()
        self.bump()

    def clear(self, user: str) -> None:
        self.stacks[user] = []
        self.bump()

    def replace_view(self, view_id: str, view: dict[str, Any]) -> None:
        """`response_action: update`: the view keeps its id and gets a new hash, as views.update does."""
        with self.fake._lock:
            old = self.fake.views[view_id]
            new = _new_view(self.fake, view, view_id)
            new["root_view_id"], new["previous_view_id"] = old["root_view_id"], old["previous_view_id"]
            self.fake.views[view_id] = new
        self.bump()

    def push_view(self, user: str, view: dict[str, Any]) -> None:
        """`response_action: push`: a new view on top of the person's stack."""
        with self.fake._lock:
            new = _new_view(self.fake, view)
            self.fake.views[new["id"]] = new
        self.stacks.setdefault(user, []).append(new["id"])
        self.bump()

    # -- what the app sent the fake ---------------------------------------------------------------
    def _observe(self, method: str, args: dict[str, Any], answer: dict[str, Any]) -> None:
        if method in ("views.open", "views.push"):
            user = self._triggers.get(str(args.get("trigger_id")))
            view_id = answer["view"]["id"]
            if user is not None:
                stack = self.stacks.setdefault(user, [])
                if method == "views.open":
                    stack.clear()
                stack.append(view_id)
        elif method == "chat.postEphemeral":
            channel = str(args.get("channel"))
            self.add_ephemeral(str(args.get("user")), "D" + channel if channel[:1] in "UW" else channel, args)
        elif method == "response_url":
            self._response(str(args.get("_path", "")).rsplit("/", 1)[-1], args)
        self.bump()

    def _response(self, name: str, args: dict[str, Any]) -> None:
        target = self._targets.get(unquote(name))
        if target is None:
            return
        if args.get("delete_original") in (True, "true") and target.message_ts:
            with self.fake._lock:
                kept = [m for m in self.fake._messages.get(target.channel, []) if m["ts"] != target.message_ts]
                self.fake._messages[target.channel] = kept
        elif args.get("replace_original") in (True, "true") and target.message_ts:
            with self.fake._lock:
                METHODS["chat.update"](self.fake, {"channel": target.channel, "ts": target.message_ts,
                                                   "text": args.get("text"), "blocks": args.get("blocks")})
        elif args.get("response_type") == "in_channel":
            self.post_as_bot(target.channel, args)
        else:
            self.add_ephemeral(target.user, target.channel, args)
