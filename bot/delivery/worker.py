"""The delivery worker: sends outbox rows to Slack, in order per channel, retrying what can succeed.

Rules (see docs/decisions/0002-outbox.md):
- Rows of one channel go out in the order they were written; a row waiting to be retried holds back
  the later rows of its channel, so an update never overtakes its post. An App Home refresh marker is the
  exception: it renders the home when it is sent, so whatever it waits for (its spacing, a retry), an App Home
  published after it (opened, paged, a language chosen) goes out at once instead of queuing behind it.
- Calls are paced under Slack's rate limits (bot.delivery.pacing): a row whose method or conversation has no
  budget left waits a moment, or is put back until it has. A 429 pauses the whole method.
- 5xx, timeouts and connection errors back off exponentially.
- Refusals a person must fix (bot not in channel, archived, gone, account deactivated) stop retrying and
  tell the author and the partnership's coordinators how to fix it (bot.delivery.notices); parked rows
  are probed every 15 minutes and requeued at once when the bot joins the channel.
- A post records its `ts` under its message key once; updates use it with `chat.update`.
- Rows are claimed with a lease, renewed during a long pass; a replica that dies leaves its rows to be
  claimed again when the lease lapses, and such a post is looked up in Slack before it is re-posted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.delivery.calls import (
    CREDENTIAL_ERRORS,
    FIXABLE_ERRORS,
    METHODS,
    PARK_RETRY,
    PERMANENT_ERRORS,
    TIMED_OUT,
    UNKNOWN,
    Outcome,
    SlackCalls,
)
from bot.delivery.fallback import redirect
from bot.delivery.notices import CHANNEL_ERRORS, end_episode, report_refusal
from bot.delivery.pacing import CHANNEL_BURST, RateLimiter
from bot.observability import Metrics
from bot.storage.db import Database
from models.base import utcnow
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus, SlackMessage

log = logging.getLogger(__name__)

UNSENT = (OutboxStatus.PENDING, OutboxStatus.PARKED)
CLAIM_LEASE = timedelta(seconds=60)
IN_FLIGHT = f"{UNKNOWN}: in flight"
DUE_AGAIN_AT_MOST_EVERY = timedelta(seconds=30)  # see DeliveryWorker._due_again
MAX_INLINE_WAIT = 2.0  # seconds a rate limit may hold the worker; longer waits put the row back
WAKE_COALESCE = 0.05  # seconds: new outbox rows wait at most this long for the pass that sends them

__all__ = ["CLAIM_LEASE", "FIXABLE_ERRORS", "PARK_RETRY", "PERMANENT_ERRORS", "DeliveryWorker", "Outcome",
           "requeue_channel"]


class DeliveryWorker:
    """Drains the outbox. Safe to run in several threads or processes: rows are claimed with a lease."""

    def __init__(self, db: Database, client: WebClient, *, max_attempts: int = 50,
                 clock: Callable[[], datetime] = utcnow, poll_seconds: float = 2.0,
                 lease: timedelta = CLAIM_LEASE, metrics: Metrics | None = None,
                 limiter: RateLimiter | None = None, sleep: Callable[[float], object] | None = None,
                 render_home: Callable[[str], dict[str, Any]] | None = None,
                 home_refresh_interval: timedelta = timedelta(0), wake_coalesce: float = WAKE_COALESCE,
                 route: Callable[[OutboxMessage], WebClient | None] | None = None,
                 held: tuple[str, float] = ("held", 300.0), lanes: int = 1) -> None:
        self.lanes = max(1, lanes)
        self._twin_args = (render_home, route, held)
        self.db = db
        self.client = client
        self.max_attempts = max_attempts
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.lease = lease
        self.metrics = metrics
        self.limiter = limiter or RateLimiter(clock)
        self.calls = SlackCalls(db, client, render_home, route, held)  # route: OAuth mode's per-installation clients
        self.home_refresh_interval = home_refresh_interval
        self.wake_coalesce = wake_coalesce
        self._homes_rendered: dict[str, datetime] = {}  # home channel -> when this process last rendered it
        self._stop = threading.Event()
        self._sleep = sleep or self._stop.wait
        self._thread: threading.Thread | None = None
        self._deferred_until: datetime | None = None
        self._outage_seen = False  # an attempt met an outage since Slack last took a message
        # Slack's error when it last refused the bot token (None once it takes a message): /healthz says so
        self._shared: dict[str, str | None] = {"token_refused": None}  # one for all lanes
        self._lanes: list[DeliveryWorker] = []
        self._threads: list[threading.Thread] = []
        self._last_due_again: datetime | None = None
        self._claimed_at = clock()

    # --- running ---------------------------------------------------------------------------------
    @property
    def token_refused(self) -> str | None:
        return self._shared["token_refused"]

    @token_refused.setter
    def token_refused(self, error: str | None) -> None:
        self._shared["token_refused"] = error

    def start(self) -> None:
        """One thread a lane. With several lanes, different conversations are delivered at once, each still in
        order (a conversation's head is claimed by one lane at a time), so a Slack slow for one conversation
        holds up only the conversations its lane claimed with it; all lanes share one rate budget."""
        self._stop.clear()
        self._lanes = [self, *(self._twin() for _ in range(self.lanes - 1))]
        self._threads = [threading.Thread(target=lane._run, name=f"outbox-delivery-{n}", daemon=True)
                         for n, lane in enumerate(self._lanes)]
        self._thread = self._threads[0]
        for thread in self._threads:
            thread.start()

    def _twin(self) -> DeliveryWorker:
        """Another lane: its own pass state, the rest shared (rate budget, App Home spacing, stop, token status)."""
        render_home, route, held = self._twin_args
        twin = DeliveryWorker(self.db, self.client, max_attempts=self.max_attempts, clock=self.clock,
                              poll_seconds=self.poll_seconds, lease=self.lease, metrics=self.metrics,
                              limiter=self.limiter, render_home=render_home,
                              home_refresh_interval=self.home_refresh_interval, wake_coalesce=self.wake_coalesce,
                              route=route, held=held, lanes=self.lanes)
        twin._homes_rendered, twin._stop, twin._sleep, twin._shared = (self._homes_rendered, self._stop,
                                                                       self._sleep, self._shared)
        return twin

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the deliveries in flight, so nothing is left half-sent."""
        self._stop.set()
        outbox.wakeup_event().set()
        for thread in self._threads:
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return bool(self._threads) and all(thread.is_alive() for thread in self._threads)

    def _run(self) -> None:
        wake = outbox.wakeup_event()
        try:
            self._due_again()  # a restart is often the fix (a new token): what backs off need not wait it out
        except Exception:
            log.exception("outbox: could not make waiting messages due; they keep their times")
        while not self._stop.is_set():
            wake.clear()
            wake.take()  # this pass looks at every channel
            try:
                sent = self.deliver_due()
            except Exception:  # a database hiccup must not kill the worker
                log.exception("outbox pass failed; retrying shortly")
                sent = 0
            if not sent:
                self._wait_for_work(wake)

    def _wait_for_work(self, wake: outbox.Wakeup) -> None:
        """Until the poll interval or the earliest deferred row, or until new rows may be sent.

        Under a burst every commit with outbox rows wakes us, hundreds of times a second, and each pass
        is a write transaction (on SQLite, queued for the one writer with the requests being acknowledged)
        that scans the backlog. So wakes are taken a window at a time, and rows only for conversations
        still paced (Slack's one message a second, an App Home rendered moments ago) wait for their pace
        instead of costing a pass."""
        while not self._stop.is_set() and wake.wait(self._idle_wait()):
            self._stop.wait(self.wake_coalesce)
            wake.clear()
            if not self._all_paced(wake.take()):
                return

    def _all_paced(self, woken: outbox.Woken | None) -> bool:
        """Whether every (channel, is an App Home refresh) woken for must wait; defers to when they may go."""
        if woken is None:
            return False
        now = self.clock()
        for channel, home_refresh in woken:
            wait = self.limiter.channel_wait(channel)
            if home_refresh:
                wait = max(wait, self._home_wait(channel, now))
            if wait <= 0:
                return False
            self._defer(now + timedelta(seconds=wait))
        return True

    def _idle_wait(self) -> float:
        if self._deferred_until is None:
            return self.poll_seconds
        return max(0.05, min(self.poll_seconds, (self._deferred_until - self.clock()).total_seconds()))

    def drain(self, timeout: float = 30.0) -> int:
        """Deliver until nothing is due (for `coopbot jobs run`), waiting out rate limits within
        `timeout`; returns how many were handled."""
        deadline = self.clock() + timedelta(seconds=timeout)
        total = 0
        while self.clock() < deadline and not self._stop.is_set():
            handled = self.deliver_due()
            total += handled
            if not handled:
                if self._deferred_until is None or self._deferred_until >= deadline:
                    break
                self._sleep(max(0.01, (self._deferred_until - self.clock()).total_seconds()))
        return total

    # --- one pass --------------------------------------------------------------------------------
    def deliver_due(self, limit: int = 50) -> int:
        """Claim due rows and deliver them in order per channel. Returns rows attempted.

        Bookkeeping is batched: a pass claims (and marks its posts in flight) in one transaction and
        records its outcomes in as few as it can, since on SQLite each transaction queues for the one
        writer alongside the requests being acknowledged. An outcome is recorded at once when a later
        row may need it (a keyed post's `ts`, which updates and thread replies use), when a crash before
        the end of the pass would send it again (a file: unlike a post, nothing in Slack says it went),
        or when it was not a success; the rest together at the end of the pass."""
        self._deferred_until = None
        recovered = False  # Slack took a message after refusing them all: the outage is over
        rows = self._claim(limit)
        held: set[str] = set()
        put_back: list[OutboxMessage] = []
        done: list[tuple[OutboxMessage, Outcome]] = []
        handled = 0
        for index, row in enumerate(rows):
            if row.channel in held:
                put_back.append(row)
                continue
            if self._home_refreshed_lately(row):
                continue  # it waits in the outbox; a publish after it need not (see the module's rules)
            if not self._paced(row):
                held.add(row.channel)
                continue
            if self._stop.is_set() or not self._lease_holds(rows[index:]):
                # Stopping (the rest waits for the next process), or our lease lapsed and the rows may be
                # another replica's now.
                put_back += rows[index:]
                break
            outcome = self.calls.attempt(row)
            self._count(outcome)
            error = (outcome.error or "").removeprefix(UNKNOWN + ": ")
            if error in CREDENTIAL_ERRORS:
                self.token_refused = error
            elif outcome.status == OutboxStatus.SENT:
                self.token_refused = None
            if outcome.outage:
                self._outage_seen = True
            elif outcome.status == OutboxStatus.SENT and self._outage_seen:
                self._outage_seen, recovered = False, True
            done.append((row, outcome))
            handled += 1
            if outcome.status != OutboxStatus.SENT:
                held.add(row.channel)
            elif _is_home_refresh(row):
                self._homes_rendered[row.channel] = self.clock()
            # A calendar file has no key to look for after a crash: recorded at once, a crash re-sends none.
            if outcome.status != OutboxStatus.SENT or (row.kind == OutboxKind.POST and row.message_key) \
                    or row.kind == OutboxKind.UPLOAD:
                self._record(done)
                done = []
        self._record(done)
        self._release_all(put_back)
        if recovered and (self._last_due_again is None
                          or self.clock() - self._last_due_again >= DUE_AGAIN_AT_MOST_EVERY):
            self._due_again()  # at most so often: a Slack that flaps must not undo every backoff each pass
        return handled

    def _due_again(self) -> int:
        """Make the messages backing off after failed tries due now: once Slack takes messages again, none
        should wait out a backoff grown during the outage (up to five minutes each). Rows waiting for a
        rate limit's Retry-After keep it, and so do rows whose last call timed out: Slack may still be acting
        on it, and the retry must not look for the message before it could have landed (TIMED_OUT_SETTLE_SECONDS)."""
        now = self._last_due_again = self.clock()
        with self.db.transaction() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at > now,
                       OutboxMessage.attempts > 0, OutboxMessage.claimed_until.is_(None),
                       or_(OutboxMessage.last_error.is_(None), and_(~OutboxMessage.last_error.endswith("ratelimited"),
                                                                    ~OutboxMessage.last_error.endswith(TIMED_OUT))))
                .values(next_attempt_at=now))
            return int(getattr(result, "rowcount", 0) or 0)

    def _claim(self, limit: int) -> list[OutboxMessage]:
        """Claim up to `limit` due rows from channels whose oldest unsent row (the head) is due, at most
        CHANNEL_BURST from each, leaving out channels still paced. Only a head may go first; its
        successors follow in this pass if it succeeds. An App Home refresh that is not due is no head: the
        home's publishes after it go first. A channel with a long backlog therefore never
        fills the pass and starves the others (a busy partnership channel holding up everyone's DMs)."""
        now = self.clock()
        due = (OutboxMessage.status.in_(UNSENT), OutboxMessage.next_attempt_at <= now,
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        with self.db.transaction() as session:
            heads_of_channels = (select(func.min(OutboxMessage.id))
                                 .where(OutboxMessage.status.in_(UNSENT), ~_refresh_not_due(now))
                                 .group_by(OutboxMessage.channel))
            heads: dict[str, int] = {}
            for channel, first in session.execute(
                    select(OutboxMessage.channel, OutboxMessage.id)
                    .where(OutboxMessage.id.in_(heads_of_channels), *due).order_by(OutboxMessage.id)):
                if len(heads) >= limit:
                    break
                wait = self.limiter.channel_wait(channel)
                if wait > 0:  # its conversation is paced: do not claim it only to put it back
                    self._defer(now + timedelta(seconds=wait))
                    continue
                heads[channel] = first
            if not heads:
                return []
            if self.lanes > 1 and len(heads) > 1:
                # A lane takes its share of the conversations that are due, and wakes another for the rest: one
                # conversation slow in Slack then holds up only those claimed with it.
                share = -(-len(heads) // self.lanes)
                if share < len(heads):
                    heads = dict(list(heads.items())[:share])
                    outbox.wakeup_event().set()
            candidates = session.scalars(
                select(OutboxMessage).where(OutboxMessage.channel.in_(list(heads)), *due)
                .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)).all()
            claimed: list[OutboxMessage] = []
            taken: dict[str, int] = {}
            for row in candidates:
                count = taken.get(row.channel, 0)
                # a channel whose head another replica holds (skipped as locked) waits for it
                if (count == 0 and heads[row.channel] != row.id) or count >= CHANNEL_BURST:
                    continue
                taken[row.channel] = count + 1
                claimed.append(row)
            for row in claimed:
                if row.claimed_until is not None:
                    log.warning("outbox %s: a claim lapsed without an outcome (a replica died?)", row.id)
                row.claimed_until = now + self.lease
            # A post is marked "in flight" until its outcome is recorded: if this process dies after the
            # call, whoever claims the row next finds the mark and looks in Slack before posting again.
            # (Written past the ORM: the rows in hand keep the error they had, which says whether *this*
            # attempt must look first.)
            posts = [row.id for row in claimed if row.kind == OutboxKind.POST]
            if posts:
                session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(posts))
                                .values(last_error=IN_FLIGHT).execution_options(synchronize_session=False))
            self._claimed_at = now
            return claimed

    def _home_refreshed_lately(self, row: OutboxMessage) -> bool:
        """An App Home refresh within `home_refresh_interval` of the last render waits (and is put back)
        until the interval is over: changes meanwhile join it (bot.delivery.outbox.refresh_homes), so a burst of
        changes costs one render, while the first change after a quiet spell shows at once."""
        if not _is_home_refresh(row):
            return False
        now = self.clock()
        wait = self._home_wait(row.channel, now)
        if wait <= 0:
            return False
        until = now + timedelta(seconds=wait)
        self._release(row, until)
        self._defer(until)
        return True

    def _home_wait(self, channel: str, now: datetime) -> float:
        """Seconds until this process may render `channel`'s App Home again (0: now)."""
        last = self._homes_rendered.get(channel)
        return 0.0 if last is None else max(0.0, (last + self.home_refresh_interval - now).total_seconds())

    def _defer(self, until: datetime) -> None:
        self._deferred_until = min(until, self._deferred_until or until)

    def _lease_holds(self, rows: list[OutboxMessage]) -> bool:
        """Before an attempt: is our claim on these rows still good? Past half the lease, renew it for
        all of them (one statement); False if it lapsed on any (another replica may hold them now)."""
        now = self.clock()
        if now - self._claimed_at < self.lease / 2:
            return True
        with self.db.transaction() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([r.id for r in rows]), OutboxMessage.claimed_until >= now,
                       OutboxMessage.status.in_(UNSENT))
                .values(claimed_until=now + self.lease).execution_options(synchronize_session=False))
        self._claimed_at = now
        return int(getattr(result, "rowcount", 0) or 0) == len(rows)

    def _release(self, row: OutboxMessage, until: datetime | None = None) -> None:
        """Give back a row this pass claimed but did not attempt (see `_release_all`)."""
        values: dict[str, object] = {"claimed_until": None, "last_error": row.last_error}
        if until is not None:
            values["next_attempt_at"] = until
        with self.db.transaction() as session:
            session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values))

    def _release_all(self, rows: list[OutboxMessage]) -> None:
        """Give back rows this pass claimed but did not attempt, with the error they had before the claim
        marked the posts among them "in flight" (the rows in hand still hold it): no call was made, so none of
        them needs a look in Slack before it is posted (a look costs a Tier 3 call, and under a burst every
        post held back behind its channel's pace would make one). One statement per distinct error."""
        by_error: dict[str | None, list[int]] = {}
        for row in rows:
            by_error.setdefault(row.last_error, []).append(row.id)
        if by_error:
            with self.db.transaction() as session:
                for error, ids in by_error.items():
                    session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                                    .values(claimed_until=None, last_error=error))

    def _paced(self, row: OutboxMessage) -> bool:
        """Wait for the rate limits if that is short; else put the row back until they allow it."""
        methods, per_conversation = METHODS[row.kind]
        pace = row.channel if per_conversation else None
        wait = self.limiter.wait(methods, pace)
        if wait > MAX_INLINE_WAIT or (pace is not None and self.limiter.channel_wait(pace) > 0) \
                or self.limiter.paused(methods) > 0:
            # A conversation's own pace (a second a message) never holds up the pass: its row waits
            # in the outbox while other channels go out. Nor does a method Slack paused with a 429: its
            # rows wait out the Retry-After in the outbox, not one sleep each while everything else waits.
            until = self.clock() + timedelta(seconds=wait)
            self._release(row, until)
            self._defer(until)
            if self.metrics is not None:
                self.metrics.deliveries.labels("deferred").inc()
            return False
        if wait > 0:
            self._sleep(wait)
        self.limiter.take(methods, pace)
        return True

    def _count(self, outcome: Outcome) -> None:
        if outcome.retry_after is not None and outcome.method:
            self.limiter.pause(outcome.method, outcome.retry_after)
        if self.metrics is None:
            return
        label = {OutboxStatus.SENT: "sent", OutboxStatus.PENDING: "retry", OutboxStatus.PARKED: "parked",
                 OutboxStatus.FAILED: "failed", OutboxStatus.REDIRECTED: "redirected"}[outcome.status]
        self.metrics.deliveries.labels(label).inc()
        if outcome.status != OutboxStatus.SENT and outcome.method:
            error = (outcome.error or "unknown").removeprefix(UNKNOWN + ": ").split(":", 1)[0]
            self.metrics.slack_api_errors.labels(outcome.method, error[:64]).inc()

    # --- recording the outcome ---------------------------------------------------------------------
    def _record(self, done: list[tuple[OutboxMessage, Outcome]]) -> None:
        """Write these outcomes, in one transaction."""
        if not done:
            return
        now = self.clock()
        with self.db.transaction() as session:
            for row, outcome in done:
                self._record_one(session, row, outcome, now)

    def _record_one(self, session: Session, row: OutboxMessage, outcome: Outcome, now: datetime) -> None:
        fresh = session.get(OutboxMessage, row.id, with_for_update=True)
        if fresh is None:
            return
        first_refusal = fresh.status != OutboxStatus.PARKED  # a parked row's probes say nothing new
        if outcome.counted:
            fresh.attempts += 1
        fresh.claimed_until = None
        fresh.last_error = outcome.error
        fresh.status = outcome.status
        if outcome.status == OutboxStatus.SENT:
            fresh.delivered_at = now
            self._remember_post(session, fresh, outcome)
            end_episode(session, fresh.channel)
        elif outcome.status == OutboxStatus.PENDING and fresh.attempts >= self.max_attempts and not outcome.outage:
            fresh.status = OutboxStatus.FAILED  # an error that keeps coming back for this message alone
        elif outcome.retry_in is not None:
            fresh.next_attempt_at = now + timedelta(seconds=outcome.retry_in)
        if outcome.status == OutboxStatus.SENT:
            log.info("delivered outbox %s (%s) to %s", fresh.id, fresh.kind.value, fresh.channel)
        else:
            log.warning("outbox %s (%s) to %s: %s -> %s", fresh.id, fresh.kind.value, fresh.channel,
                        outcome.error, fresh.status.value)
        if outcome.status == OutboxStatus.REDIRECTED:
            if redirect(session, fresh, outcome.error or "") is None:
                fresh.status = OutboxStatus.FAILED  # on no partnership: nowhere to say it
            report_refusal(session, fresh, outcome.error or "", first_for_row=False)
        elif outcome.error in CHANNEL_ERRORS:
            report_refusal(session, fresh, outcome.error or "", first_for_row=first_refusal)

    @staticmethod
    def _remember_post(session: Session, row: OutboxMessage, outcome: Outcome) -> None:
        if not (row.message_key and outcome.ts):
            return
        known = session.get(SlackMessage, row.message_key)
        if row.kind == OutboxKind.POST and known is None:
            # chat.update needs the conversation id, not the user id a DM was addressed to
            session.add(SlackMessage(key=row.message_key, channel=outcome.channel or row.channel, ts=outcome.ts))
        elif row.kind == OutboxKind.UPDATE and known is not None and outcome.ts != known.ts:
            # an update that posted its message again (`outbox.update(..., repost=True)`: it had been deleted)
            known.ts, known.channel = outcome.ts, outcome.channel or known.channel


def _is_home_refresh(row: OutboxMessage) -> bool:
    return outbox.is_home_refresh(row.kind, row.message_key)


def _refresh_not_due(now: datetime) -> ColumnElement[bool]:
    """An App Home refresh marker waiting for its spacing or a retry: it holds up nothing after it."""
    return and_(OutboxMessage.kind == OutboxKind.HOME, OutboxMessage.message_key == outbox.HOME_REFRESH_KEY,
                OutboxMessage.next_attempt_at > now)


@dataclass(frozen=True)
class Retried:
    """What `retry_now` sent back to the queue, by the state each row was in."""

    failed: int
    parked: int
    waiting: int


def retry_now(db: Database, channel: str | None = None) -> Retried:
    """`coopbot outbox retry`: every undelivered message (of `channel`, or all) is due now, attempts
    counted afresh: the ones that failed (a refusal since fixed: a token, a roster, a deleted channel made
    again), the parked ones, and the ones backing off after an outage that is over."""
    counts: dict[OutboxStatus, int] = {}
    with db.transaction() as session:
        for status in (OutboxStatus.PENDING, OutboxStatus.FAILED, OutboxStatus.PARKED):  # waiting first: once
            statement = update(OutboxMessage).where(OutboxMessage.status == status)
            if channel:
                statement = statement.where(OutboxMessage.channel == channel)
            due = statement.values(status=OutboxStatus.PENDING, next_attempt_at=utcnow(), attempts=0)
            result = session.execute(due)
            counts[status] = int(getattr(result, "rowcount", 0) or 0)
        if any(counts.values()):
            outbox._wake_after_commit(session, channel)  # this process's worker; a server's finds them by polling
    return Retried(counts[OutboxStatus.FAILED], counts[OutboxStatus.PARKED], counts[OutboxStatus.PENDING])


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
            outbox._wake_after_commit(session, channel)
        return count
