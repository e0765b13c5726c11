"""The outbox and its worker against the fake Slack: order, retries, parking, no duplicates."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import event, select, update

from bot.delivery import outbox
from bot.delivery.pacing import RateLimiter
from bot.delivery.worker import DeliveryWorker, requeue_channel
from bot.devtools.fake_slack import FakeSlack
from bot.storage.db import Database
from models.base import utcnow
from models.delivery import OutboxMessage, OutboxStatus, SlackMessage
from tests.support.cli import operator_env, run
from tests.support.delivery import Clock
from tests.support.slack import BOT_TOKEN


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def worker(db: Database, fake: FakeSlack, clock: Clock) -> DeliveryWorker:
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[], timeout=2)
    return DeliveryWorker(db, client, clock=clock, max_attempts=5)


def _rows(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _enqueue_post_and_update(db: Database, clock: Clock) -> None:
    with db.transaction() as session:
        outbox.post(session, channel="C1", text="first", key="k1")
        outbox.update(session, key="k1", channel="C1", text="first, edited")
        outbox.post(session, channel="C1", text="reply", thread_key="k1")
    for row in _rows(db):  # rows are due "now" on the test clock
        with db.transaction() as session:
            session.get(OutboxMessage, row.id).next_attempt_at = clock.now  # type: ignore[union-attr]


def test_post_update_and_thread_reply_in_order(db: Database, fake: FakeSlack, worker: DeliveryWorker,
                                               clock: Clock) -> None:
    _enqueue_post_and_update(db, clock)
    assert worker.deliver_due() == 3
    [top, reply] = fake.messages("C1")
    assert top["text"] == "first, edited" and top["edited"]
    assert reply["thread_ts"] == top["ts"]
    assert [r.status for r in _rows(db)] == [OutboxStatus.SENT] * 3
    assert [r.last_error for r in _rows(db)] == [None] * 3  # the in-flight marks are cleared
    # Marked in flight at the claim, but a first attempt has nothing to look up: one call each.
    assert fake.calls_to("conversations.history") == [] and fake.calls_to("conversations.replies") == []
    assert len(fake.calls_to("chat.postMessage")) == 2
    with db.session() as session:
        assert session.get(SlackMessage, "k1").ts == top["ts"]  # type: ignore[union-attr]


def test_rate_limit_waits_for_retry_after_and_holds_the_channel(db: Database, fake: FakeSlack,
                                                                worker: DeliveryWorker, clock: Clock) -> None:
    _enqueue_post_and_update(db, clock)
    fake.fail("chat.postMessage", status=429, retry_after=7)
    assert worker.deliver_due() == 1  # the post was limited; its update and reply wait behind it
    first = _rows(db)[0]
    assert first.status == OutboxStatus.PENDING and first.last_error == "ratelimited"
    assert first.next_attempt_at == clock.now + timedelta(seconds=7)
    assert fake.calls_to("chat.update") == []
    clock.advance(6)
    assert worker.deliver_due() == 0
    clock.advance(1)
    assert worker.deliver_due() == 3
    assert len(fake.messages("C1")) == 2 and len(fake.calls_to("chat.update")) == 1


def test_server_errors_and_an_outage_delay_but_never_lose_or_double(db: Database, fake: FakeSlack,
                                                                    worker: DeliveryWorker, clock: Clock) -> None:
    _enqueue_post_and_update(db, clock)
    fake.fail("chat.postMessage", status=500, times=2)
    worker.deliver_due()
    clock.advance(400)
    worker.deliver_due()
    fake.set_down(True)
    clock.advance(400)
    worker.deliver_due()
    assert fake.messages("C1") == []
    assert _rows(db)[0].attempts == 3 and _rows(db)[0].status == OutboxStatus.PENDING
    fake.set_down(False)
    clock.advance(400)
    worker.deliver_due()
    assert [m["text"] for m in fake.messages("C1")] == ["first, edited", "reply"]
    assert len([c for c in fake.calls_to("chat.postMessage") if c.args.get("text") == "first"]) == 3


def test_bot_not_in_channel_parks_tells_the_author_and_delivers_after_invite(
        db: Database, fake: FakeSlack, worker: DeliveryWorker, clock: Clock) -> None:
    fake.not_in_channel.add("C1")
    with db.transaction() as session:
        outbox.post(session, channel="C1", text="report", key="k9", notify_user="U0AUTHOR")
    clock.now = utcnow()
    worker.deliver_due()
    row = _rows(db)[0]
    assert row.status == OutboxStatus.PARKED and row.last_error == "not_in_channel"
    clock.advance(1)
    worker.deliver_due()
    [notice] = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == "U0AUTHOR"]
    assert "/invite @coopbot" in notice.args["text"] and "<#C1>" in notice.args["text"]
    worker.deliver_due()  # parked rows wait; the author is told only once
    assert len([c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == "U0AUTHOR"]) == 1

    fake.not_in_channel.discard("C1")
    assert requeue_channel(db, "C1") == 1
    clock.now = utcnow()
    worker.deliver_due()
    assert [m["text"] for m in fake.messages("C1")] == ["report"]


def test_permanent_errors_stop_retrying(db: Database, fake: FakeSlack, worker: DeliveryWorker,
                                        clock: Clock) -> None:
    with db.transaction() as session:
        outbox.post(session, channel="U0GONE", text="hello")
    clock.now = utcnow()
    fake.fail("chat.postMessage", error="user_not_found")
    worker.deliver_due()
    clock.advance(3600)
    worker.deliver_due()
    row = _rows(db)[0]
    assert row.status == OutboxStatus.FAILED and row.last_error == "user_not_found" and row.attempts == 1


def test_attempts_run_out_for_an_error_that_keeps_coming_back_for_this_message(
        db: Database, fake: FakeSlack, worker: DeliveryWorker, clock: Clock) -> None:
    with db.transaction() as session:
        outbox.post(session, channel="C2", text="x")
    clock.now = utcnow()
    fake.fail("chat.postMessage", error="some_error_slack_adds_one_day", times=10)
    for _ in range(6):
        worker.deliver_due()
        clock.advance(600)
    row = _rows(db)[0]
    assert row.status == OutboxStatus.FAILED and row.attempts == 5
    assert fake.messages("C2") == []


@pytest.mark.parametrize("outage", ["http 503", "connection dropped", "ratelimited", "token_revoked",
                                    "account_inactive", "internal_error", "service_unavailable", "fatal_error"])
def test_an_outage_longer_than_the_attempts_delays_a_message_and_never_drops_it(
        db: Database, fake: FakeSlack, worker: DeliveryWorker, clock: Clock, outage: str) -> None:
    """Slack down, failing, throttling or refusing the token says nothing about the message: it waits,
    however many tries that takes (here 3x the limit of 5), and goes out once Slack takes messages again."""
    with db.transaction() as session:
        outbox.post(session, channel="C2", text="坚持到底")
    clock.now = utcnow()
    failures = {"http 503": {"status": 503}, "ratelimited": {"status": 429, "retry_after": 1},
                # Slack's "token is for a deleted user or workspace": the bot's credentials, not the reader's
                "token_revoked": {"error": "token_revoked"}, "account_inactive": {"error": "account_inactive"},
                # Slack's own trouble, answered with HTTP 200
                "internal_error": {"error": "internal_error"}, "service_unavailable": {"error": "service_unavailable"},
                "fatal_error": {"error": "fatal_error"}}
    if outage == "connection dropped":
        fake.set_down(True)
    else:
        fake.fail("chat.postMessage", times=15, **failures[outage])  # type: ignore[arg-type]
    for _ in range(15):
        worker.deliver_due()
        clock.advance(600)
    [row] = _rows(db)
    assert row.status == OutboxStatus.PENDING and row.attempts == 15
    fake.set_down(False)
    worker.deliver_due()
    [row] = _rows(db)
    assert row.status == OutboxStatus.SENT
    assert [m["text"] for m in fake.messages("C2")] == ["坚持到底"]


def test_a_refused_token_pauses_delivery_instead_of_trying_every_message(
        db: Database, fake: FakeSlack, worker: DeliveryWorker, clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    """Every message would be refused alike: one try, one log line, then a pause, as for a rate limit."""
    with db.transaction() as session:
        for n in range(10):
            outbox.post(session, channel=f"C{n}", text="x")
    clock.now = utcnow()
    fake.fail("chat.postMessage", error="token_revoked", times=100)
    with caplog.at_level("ERROR", logger="bot.delivery.calls"):
        worker.deliver_due()
    assert len(fake.calls_to("chat.postMessage")) == 1
    assert [r.getMessage() for r in caplog.records if "SLACK_BOT_TOKEN" in r.getMessage()] == [
        "Slack refuses the bot token (token_revoked): check SLACK_BOT_TOKEN; messages wait until it works"]
    assert {row.status for row in _rows(db)} == {OutboxStatus.PENDING}


def test_a_redelivered_post_is_not_posted_twice(db: Database, fake: FakeSlack, worker: DeliveryWorker,
                                                clock: Clock) -> None:
    with db.transaction() as session:
        outbox.post(session, channel="C3", text="once", key="k3")
    clock.now = utcnow()
    worker.deliver_due()
    with db.transaction() as session:  # as if a crash had left the row unsent after Slack took it
        row = session.scalars(select(OutboxMessage)).one()
        row.status = OutboxStatus.PENDING
    assert worker.deliver_due() == 1  # the row was taken up again…
    assert len(fake.messages("C3")) == 1 and len(fake.calls_to("chat.postMessage")) == 1  # …and not re-posted
    assert _rows(db)[0].status == OutboxStatus.SENT


def test_the_background_worker_delivers_soon_after_commit(db: Database, fake: FakeSlack) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[], timeout=2)
    background = DeliveryWorker(db, client, poll_seconds=30)  # only the commit wake-up can make it quick
    background.start()
    try:
        with db.transaction() as session:
            outbox.post(session, channel="C4", text="wake up")
        fake.wait_for("chat.postMessage", timeout=5)
    finally:
        background.stop()
    assert [m["text"] for m in fake.messages("C4")] == ["wake up"]


def test_a_restarted_server_sends_at_once_what_was_backing_off(db: Database, fake: FakeSlack) -> None:
    """The bot token was refused for a while (its messages back off five minutes at a time); the operator
    puts in a new one and restarts: the messages go now, not when their backoff runs out."""
    with db.transaction() as session:
        outbox.post(session, channel="C5", text="等了很久")
    with db.transaction() as session:
        session.execute(update(OutboxMessage).values(attempts=7, last_error="token_revoked",
                                                     next_attempt_at=utcnow() + timedelta(minutes=5)))
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[], timeout=2)
    background = DeliveryWorker(db, client, poll_seconds=30)
    background.start()
    try:
        fake.wait_for("chat.postMessage", timeout=5)
    finally:
        background.stop()
    assert [m["text"] for m in fake.messages("C5")] == ["等了很久"]


def test_a_burst_for_a_paced_conversation_costs_no_passes_until_its_pace_allows(db: Database,
                                                                                fake: FakeSlack) -> None:
    """Every commit with outbox rows wakes the worker, and each pass is a write transaction that scans the
    backlog. Rows only for a conversation Slack's pace still holds back wait for that pace, not a pass;
    a row for another conversation still goes out at once."""
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[], timeout=2)
    limiter = RateLimiter(utcnow, channel_rate=0.25, channel_burst=1)  # one message per 4 s per conversation
    background = DeliveryWorker(db, client, poll_seconds=30, limiter=limiter)
    passes: list[float] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "min(outbox_message.id)" in statement:  # the claim that starts every pass
            passes.append(time.monotonic())

    event.listen(db.engine, "before_cursor_execute", count)
    background.start()
    try:
        with db.transaction() as session:
            outbox.post(session, channel="C7", text="first")
        fake.wait_for("chat.postMessage", timeout=5)
        first_sent = time.monotonic()
        time.sleep(0.2)
        passes.clear()
        for n in range(8):  # a burst of commits, all for the paced conversation
            with db.transaction() as session:
                outbox.post(session, channel="C7", text=f"later {n}")
            time.sleep(0.1)
        assert len(passes) <= 1, passes
        with db.transaction() as session:
            outbox.post(session, channel="C8", text="elsewhere")
        deadline = time.monotonic() + 1
        while not fake.messages("C8") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [m["text"] for m in fake.messages("C8")] == ["elsewhere"]  # not held up by C7's pace
        deadline = time.monotonic() + 8
        while len(fake.messages("C7")) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [m["text"] for m in fake.messages("C7")] == ["first", "later 0"]
        assert time.monotonic() - first_sent >= 3.5  # when its pace allowed, without another commit
    finally:
        background.stop()
        event.remove(db.engine, "before_cursor_execute", count)


def test_rows_are_written_with_their_commit_and_dropped_with_their_rollback(db: Database) -> None:
    """Outbox rows are queued and written in one statement at commit: a failed change leaves none,
    and asking twice in one transaction for a person's App Home refresh asks once."""
    with pytest.raises(RuntimeError), db.transaction() as session:
        outbox.post(session, channel="C1", text="never sent")
        raise RuntimeError("the change failed")
    assert _rows(db) == []
    with db.transaction() as session:
        outbox.post(session, channel="C1", text="one")
        assert outbox.refresh_homes(session, ["U1", "U2"]) == 2
        assert outbox.refresh_homes(session, ["U2", "U3"]) == 1  # U2's is already queued
        outbox.post(session, channel="C1", text="two")
    rows = _rows(db)
    assert [(r.channel, r.kind.value) for r in rows] == [
        ("C1", "post"), ("home:U1", "home"), ("home:U2", "home"), ("home:U3", "home"), ("C1", "post")]
    assert [r.payload["text"] for r in rows if r.channel == "C1"] == ["one", "two"]
    assert all(r.status == OutboxStatus.PENDING and r.attempts == 0 for r in rows)


def test_a_burst_of_changes_renders_a_home_once_and_the_next_change_after_a_pause_at_once(
        db: Database, fake: FakeSlack, clock: Clock) -> None:
    renders: list[tuple[str, datetime]] = []

    def render(user: str) -> dict[str, object]:
        renders.append((user, clock.now))
        return {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": str(len(renders))}}]}

    client = WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[], timeout=2)
    worker = DeliveryWorker(db, client, clock=clock, render_home=render, home_refresh_interval=timedelta(seconds=5))

    def change() -> None:
        with db.transaction() as session:
            outbox.refresh_homes(session, ["U1"])
        for row in _rows(db):  # due "now" on the test clock
            with db.transaction() as session:
                session.get(OutboxMessage, row.id).next_attempt_at = min(  # type: ignore[union-attr]
                    row.next_attempt_at, clock.now)

    change()
    assert worker.deliver_due() == 1 and [t for _u, t in renders] == [clock.now]  # the first shows at once
    started = clock.now
    for _ in range(4):  # a burst: four more changes within the next two seconds
        clock.advance(0.5)
        change()
        worker.deliver_due()
    assert len(renders) == 1  # they wait for the interval, together
    clock.advance(3)  # five seconds after the first render
    assert worker.deliver_due() == 1
    assert [t - started for _u, t in renders] == [timedelta(0), timedelta(seconds=5)]
    clock.advance(60)  # a quiet minute, then a change: at once again
    change()
    assert worker.deliver_due() == 1 and len(renders) == 3
    assert len(fake.calls_to("views.publish")) == 3
    assert len(_rows(db)) == 3 and all(r.status == OutboxStatus.SENT for r in _rows(db))  # the burst: one row


def test_opening_the_home_tab_is_not_held_up_by_a_spaced_refresh(db: Database, fake: FakeSlack, clock: Clock) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[], timeout=2)
    worker = DeliveryWorker(db, client, clock=clock, home_refresh_interval=timedelta(seconds=5),
                            render_home=lambda user: {"type": "home", "blocks": []})
    for _ in range(2):  # a render, then a change within the interval: its refresh waits
        with db.transaction() as session:
            outbox.refresh_homes(session, ["U1"])
        clock.now = max(clock.now, max(r.next_attempt_at for r in _rows(db)))
        worker.deliver_due()
    assert len(fake.calls_to("views.publish")) == 1
    opened = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "fresh"}}]}
    with db.transaction() as session:  # app_home_opened: a view rendered now
        outbox.publish_home(session, user="U1", view=opened)
    clock.now = max(clock.now, utcnow())  # the row is due at the real now: a slow machine must not outrun the clock
    clock.advance(0.1)
    assert worker.deliver_due() == 1
    assert fake.calls_to("views.publish")[-1].args["view"] == opened
    assert [r.status for r in _rows(db)] == [OutboxStatus.SENT] * 2  # the waiting refresh was dropped


def test_opening_the_home_tab_is_not_held_up_by_a_refresh_the_worker_has_in_hand(
        db: Database, fake: FakeSlack, clock: Clock) -> None:
    """The publish for app_home_opened commits while a pass holds the refresh that must wait (claimed, behind a
    post still being sent, so the publish cannot drop it): the publish goes out in the next pass, not once the
    refresh's spacing is over; the refresh, which renders when it is sent, follows after its spacing."""
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[], timeout=5)
    renders: list[str] = []

    def render(user: str) -> dict[str, Any]:
        renders.append(user)
        return {"type": "home", "blocks": []}

    worker = DeliveryWorker(db, client, clock=clock, home_refresh_interval=timedelta(seconds=5), render_home=render)

    def due_now() -> None:
        clock.now = max(clock.now, max(r.next_attempt_at for r in _rows(db)))

    with db.transaction() as session:
        outbox.refresh_homes(session, ["U1"])
    due_now()
    assert worker.deliver_due() == 1 and renders == ["U1"]  # rendered: the next refresh waits 5 s
    clock.advance(1)
    with db.transaction() as session:
        outbox.post(session, channel="C1", text="ahead of the refresh in the pass")
        outbox.refresh_homes(session, ["U1"])
    due_now()
    fake.delay("chat.postMessage", 1.0)
    in_hand = threading.Thread(target=worker.deliver_due)
    in_hand.start()
    try:
        fake.wait_for("chat.postMessage")  # the pass has claimed the refresh and is sending the post
        opened = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "opened"}}]}
        with db.transaction() as session:
            outbox.publish_home(session, user="U1", view=opened)
    finally:
        in_hand.join()
    clock.advance(0.1)  # far less than the interval
    assert worker.deliver_due() == 1
    assert fake.calls_to("views.publish")[-1].args["view"] == opened
    assert renders == ["U1"]  # the refresh still waits for its spacing
    clock.advance(4)  # five seconds after the first render
    assert worker.deliver_due() == 1 and renders == ["U1", "U1"]
    assert all(r.status == OutboxStatus.SENT for r in _rows(db))


def test_coopbot_outbox_retry_sends_again_what_failed_was_parked_or_is_backing_off(
        db: Database, fake: FakeSlack, worker: DeliveryWorker, clock: Clock, tmp_path: Path) -> None:
    """After the operator fixes what refused them (a token, a roster, a channel), nothing waits for a
    backoff or stays failed: `coopbot outbox retry` makes them all due, attempts counted afresh."""
    with db.transaction() as session:
        for channel in ("C1", "C2", "C3", "C4"):
            outbox.post(session, channel=channel, text=f"to {channel}")
    later = utcnow() + timedelta(minutes=5)
    with db.transaction() as session:
        for channel, status in (("C1", OutboxStatus.FAILED), ("C2", OutboxStatus.PARKED), ("C3", OutboxStatus.PENDING)):
            session.execute(update(OutboxMessage).where(OutboxMessage.channel == channel).values(
                status=status, attempts=50, next_attempt_at=later, last_error="refused earlier"))
    env = operator_env(db)
    one = run(["outbox", "retry", "--channel", "C1"], env, tmp_path)
    assert one.returncode == 0 and "due now: 1 failed, 0 parked and 0 waiting message(s) for C1" in one.stdout
    rest = run(["outbox", "retry"], env, tmp_path)
    assert rest.returncode == 0 and "due now: 0 failed, 1 parked and 3 waiting message(s)" in rest.stdout, rest
    clock.now = utcnow()
    worker.deliver_due()
    assert {row.channel: (row.status, row.attempts) for row in _rows(db)} == {
        channel: (OutboxStatus.SENT, 1) for channel in ("C1", "C2", "C3", "C4")}


class _Killed(BaseException):
    """The process dying mid-pass (kill -9): nothing after it in the pass runs."""


def test_a_crash_mid_pass_sends_no_calendar_file_twice(db: Database, fake: FakeSlack, worker: DeliveryWorker,
                                                       clock: Clock) -> None:
    """A file leaves nothing in Slack to look for, so each one's delivery is recorded as soon as it is
    made: after a crash, the restarted worker sends only what had not gone."""
    with db.transaction() as session:
        for n in range(3):
            outbox.upload(session, channel=f"U0INVITEE{n}", filename="q1.ics", content=b"BEGIN:VCALENDAR",
                          title="Q1", initial_comment="invited")
    clock.now = utcnow()
    attempt = worker.calls.attempt
    made: list[int] = []

    def dies_after_two(row: OutboxMessage) -> Any:
        if len(made) == 2:
            raise _Killed
        made.append(row.id)
        return attempt(row)

    worker.calls.attempt = dies_after_two  # type: ignore[method-assign]
    with pytest.raises(_Killed):
        worker.deliver_due()
    worker.calls.attempt = attempt  # type: ignore[method-assign]
    clock.advance(600)  # the dead pass's claims lapse
    worker.deliver_due()
    completed = [f for f in fake.files.values() if f.get("completed")]
    assert sorted(f["channel_id"] for f in completed) == [f"DU0INVITEE{n}" for n in range(3)]  # each once
    assert {row.status for row in _rows(db)} == {OutboxStatus.SENT}
