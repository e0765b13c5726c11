"""The one path out to Slack: services add outbox rows inside their own transaction.

A row commits with the change it reports, or not at all; the delivery worker (bot.delivery.worker) sends it
after the request was acknowledged. Logical message keys (e.g. ``problem:12``) let a later change
update the posted message in place without knowing whether it was delivered yet.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import bindparam, delete, event, select
from sqlalchemy.orm import Session

from bot.storage.db import insert_at_commit, queued_rows
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus

Woken = set[tuple[str, bool]]  # (channel, is an App Home refresh) pairs


class Wakeup:
    """Wakes the delivery worker when a transaction that added outbox rows commits, and tells it which
    conversations the rows are for: during a burst of reports, rows for conversations Slack's pace still
    holds back need no pass of the worker (each pass is a write transaction that scans the backlog).

    Behaves as a `threading.Event` for those who only wait on it.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._woken: Woken = set()
        self._anything = False

    def notify(self, woken: Iterable[tuple[str, bool]] | None) -> None:
        """Rows were committed for these (channel, is an App Home refresh) pairs; None: for anything."""
        with self._lock:
            if woken is None:
                self._anything = True
            else:
                self._woken.update(woken)
        self._event.set()

    def set(self) -> None:
        self.notify(None)

    def clear(self) -> None:
        self._event.clear()

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)

    def take(self) -> Woken | None:
        """What was notified since the last take; None when that may be anything."""
        with self._lock:
            woken, anything = self._woken, self._anything
            self._woken, self._anything = set(), False
        return None if anything else woken


_wakeup = Wakeup()
_WOKEN = "outbox_woken"
_forward: Callable[[Woken | None], None] | None = None


def forward_wakes(send: Callable[[Woken | None], None] | None) -> None:
    """Also pass each committed wake to `send` (the worker runs in another process: bot.delivery.wake_link)."""
    global _forward
    _forward = send


def wakeup_event() -> Wakeup:
    """Set whenever a transaction that added outbox rows commits; the worker waits on it."""
    return _wakeup


def _wake_after_commit(session: Session, channel: str | None = None, *, home_refresh: bool = False) -> None:
    """Wake the worker for `channel` (None: any channel) once the session's transaction commits."""
    if channel is None:
        session.info[_WOKEN] = None  # anything, for the rest of the transaction
        return
    woken: Woken | None = session.info.setdefault(_WOKEN, set())
    if woken is not None:
        woken.add((channel, home_refresh))


# On the Session class, once (see bot.storage.db.insert_at_commit): every commit asks, only ours find rows.
@event.listens_for(Session, "after_commit")
def _notify_committed(session: Session) -> None:
    if _WOKEN in session.info:  # this transaction added rows
        woken = session.info.pop(_WOKEN)
        _wakeup.notify(woken)
        if _forward is not None:
            _forward(woken)


@event.listens_for(Session, "after_soft_rollback")
def _forget_woken(session: Session, _previous: Any) -> None:
    session.info.pop(_WOKEN, None)


_FIELDS = ("kind", "channel", "user", "message_key", "thread_key", "payload", "notify_user")


def _add(session: Session, **fields: Any) -> None:
    """Queue a row; it is written, with the transaction's other rows, when the transaction commits."""
    insert_at_commit(session, OutboxMessage, {name: fields.get(name) for name in _FIELDS})
    _wake_after_commit(session, fields["channel"],
                       home_refresh=is_home_refresh(fields["kind"], fields.get("message_key")))


def post(
    session: Session,
    *,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    key: str | None = None,
    thread_key: str | None = None,
    notify_user: str | None = None,
    pin: bool = False,
) -> None:
    """Post a message (a channel id, or a user id for a DM). `key` names it for later updates;
    `thread_key` posts it as a reply in the thread of the message posted under that key; `pin` pins it
    in the channel once posted."""
    payload: dict[str, Any] = {"text": text, "blocks": blocks}
    if pin:
        payload["pin"] = True
    _add(session, kind=OutboxKind.POST, channel=channel, message_key=key, thread_key=thread_key,
         payload=payload, notify_user=notify_user)


def update(session: Session, *, key: str, channel: str, text: str,
           blocks: list[dict[str, Any]] | None = None, repost: bool = False) -> None:
    """Replace the message posted under `key` (in `channel`) with new content; with `repost`, post (and pin)
    it again if someone deleted it."""
    payload: dict[str, Any] = {"text": text, "blocks": blocks}
    if repost:
        payload.update(repost=True, pin=True)
    _add(session, kind=OutboxKind.UPDATE, channel=channel, message_key=key, payload=payload)


def update_drawn(session: Session, *, key: str, channel: str, draw: str, data: dict[str, Any]) -> None:
    """`update`, the new content drawn at delivery by the renderer `draw` from `data` (as `post_drawn`)."""
    if draw not in _RENDERERS:
        raise KeyError(f"no renderer {draw}")
    _add(session, kind=OutboxKind.UPDATE, channel=channel, message_key=key, payload={DRAWN_BY: draw, "data": data})


def ephemeral(session: Session, *, channel: str, user: str, text: str,
              blocks: list[dict[str, Any]] | None = None) -> None:
    """A message only `user` sees, in `channel`."""
    _add(session, kind=OutboxKind.EPHEMERAL, channel=channel, user=user,
         payload={"text": text, "blocks": blocks})


def upload(session: Session, *, channel: str, filename: str, content: bytes, title: str,
           initial_comment: str, thread_key: str | None = None) -> None:
    """Share a file (e.g. a calendar .ics) in `channel`, or in a person's DM when given a user id.
    `thread_key` shares it in the thread of the message posted under that key (a meeting's announcement).
    The bytes ride in the JSON payload as base64."""
    _add(session, kind=OutboxKind.UPLOAD, channel=channel, thread_key=thread_key,
         payload={"filename": filename, "title": title, "initial_comment": initial_comment,
                  "content_b64": base64.b64encode(content).decode("ascii")})


# --- content drawn at delivery ---------------------------------------------------------------------------
# A row may carry, instead of its text and blocks, the name of a renderer and the plain data it draws from
# (`post_drawn`): the delivery process draws the message when it sends it, so the request that added the row
# (a report: a channel post and two or three DMs) does not pay for Block Kit. The data is all the message
# shows, taken in the change's transaction, so the message is the one the change would have drawn itself.
Renderer = Callable[[dict[str, Any]], tuple[str, list[dict[str, Any]] | None]]
_RENDERERS: dict[str, Renderer] = {}
DRAWN_BY = "draw"


def renderer(name: str) -> Callable[[Renderer], Renderer]:
    """Register a pure function from a row's data to its (text, blocks), under `name` (at import, in every
    process: the notifier that adds such rows registers its renderers in its own module)."""
    def register(draw: Renderer) -> Renderer:
        if _RENDERERS.setdefault(name, draw) is not draw:
            raise ValueError(f"two renderers named {name}")
        return draw

    return register


def post_drawn(session: Session, *, channel: str, draw: str, data: dict[str, Any], key: str | None = None,
               thread_key: str | None = None, notify_user: str | None = None) -> None:
    """`post`, the message drawn at delivery by the renderer `draw` from `data` (JSON: plain values)."""
    if draw not in _RENDERERS:  # refused here, in the change's transaction, not later by the worker
        raise KeyError(f"no renderer {draw}")
    _add(session, kind=OutboxKind.POST, channel=channel, message_key=key, thread_key=thread_key,
         payload={DRAWN_BY: draw, "data": data}, notify_user=notify_user)


def content(payload: dict[str, Any] | None) -> dict[str, Any]:
    """A row's payload as it is sent: with its text and blocks drawn now when it carries a renderer's data."""
    if not payload or DRAWN_BY not in payload:
        return payload or {}
    text, blocks = _RENDERERS[payload[DRAWN_BY]](payload["data"])
    rest = {name: value for name, value in payload.items() if name not in (DRAWN_BY, "data")}
    return {**rest, "text": text, "blocks": blocks}


HOME_REFRESH_KEY = "home-refresh"
# A refresh marker not yet sent nor claimed: a later change joins it instead of adding another.
_REFRESH_WAITING = (OutboxMessage.message_key == HOME_REFRESH_KEY, OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.claimed_until.is_(None))
_WAITING_REFRESHES = select(OutboxMessage.channel).where(  # built once: every change reads it
    OutboxMessage.channel.in_(bindparam("channels", expanding=True)), *_REFRESH_WAITING)


def is_home_refresh(kind: OutboxKind, message_key: str | None) -> bool:
    """A marker asking for a person's App Home to be rendered when it is delivered (`refresh_homes`)."""
    return kind == OutboxKind.HOME and message_key == HOME_REFRESH_KEY


def refresh_homes(session: Session, users: Iterable[str | None]) -> int:
    """Ask for these people's App Homes to be re-rendered and published (each once; None is skipped). What a
    notifier calls inside the change's transaction, so the refresh happens if and only if the change commits.
    The worker renders each when it delivers the row, from what is committed then (bot.home.refresh): the
    change's transaction stays short, and several changes before delivery cost one render — a refresh
    already waiting (not yet claimed) covers the next. One query whatever the number of people. Returns how
    many refreshes were added."""
    channels = {f"home:{user}": user for user in users if user}
    # Core on the session's connection (the ORM's execute cost more than the query), after a flush so that
    # rows the session added as objects are seen as before
    session.flush()
    waiting = set(session.connection().scalars(_WAITING_REFRESHES, {"channels": list(channels)}))
    waiting |= {row["channel"] for row in queued_rows(session, OutboxMessage)
                if row["channel"] in channels and is_home_refresh(row["kind"], row["message_key"])}
    for channel, user in channels.items():
        if channel not in waiting:
            _add(session, kind=OutboxKind.HOME, channel=channel, user=user, message_key=HOME_REFRESH_KEY,
                 payload={"view": None})
    return len(channels) - len(waiting)


def publish_home(session: Session, *, user: str, view: dict[str, Any], workspace: str | None = None) -> None:
    """Publish `user`'s App Home. Rows for one user go out in order, so the newest view is the one that stays.
    Refreshes still waiting (e.g. spaced after a burst, see bot.delivery.worker) are dropped: this view, rendered
    now, already shows what they would, and they must not hold it up. `workspace` (OAuth mode): the
    installation whose App Home it is, which it was drawn for and must go through (bot.installs.routing)."""
    session.execute(delete(OutboxMessage).where(OutboxMessage.channel == f"home:{user}", *_REFRESH_WAITING))
    _add(session, kind=OutboxKind.HOME, channel=f"home:{user}", user=user,
         payload={"view": view, **({"workspace": workspace} if workspace else {})})
