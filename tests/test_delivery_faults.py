"""Faults between the outbox and Slack: each test ends with every message delivered exactly once, in order.

The worker's clock is moved by hand (and its rate-limit waits advance it), so a 30-second outage or a
Retry-After takes no real time.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.delivery import outbox
from bot.delivery.pacing import CHANNEL_BURST, CHANNEL_RATE, METHOD_LIMITS
from bot.delivery.worker import MAX_INLINE_WAIT, DeliveryWorker, requeue_channel
from bot.devtools.fake_slack import FakeSlack
from bot.observability import Metrics
from bot.storage.db import Database
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus, SlackMessage
from models.operations import ChannelAlert
from models.roster import Membership, Partnership, Person, Role, Side
from tests.support.delivery import Clock
from tests.support.slack import BOT_TOKEN

CHANNELS = ("C1", "C2", "C3")


def _worker(db: Database, fake: FakeSlack, clock: Clock, **kwargs: object) -> DeliveryWorker:
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[], timeout=2)
    return DeliveryWorker(db, client, clock=clock, sleep=clock.advance, max_attempts=50, **kwargs)  # type: ignore[arg-type]


def _enqueue(db: Database, clock: Clock, per_channel: int = 4) -> None:
    with db.transaction() as session:
        for n in range(per_channel):
            for channel in CHANNELS:
                outbox.post(session, channel=channel, text=f"{channel}-{n}", key=f"{channel}:{n}")
    clock.now = max(clock.now, _newest(db))


def _newest(db: Database) -> datetime:
    with db.session() as session:
        newest = session.scalar(select(func.max(OutboxMessage.next_attempt_at)))
        assert newest is not None
        return newest


def _unsent(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.status != OutboxStatus.SENT)) or 0)


def _run_until_sent(worker: DeliveryWorker, db: Database, clock: Clock, step: float = 5.0, rounds: int = 400) -> None:
    for _ in range(rounds):
        worker.deliver_due()
        if not _unsent(db):
            return
        clock.advance(step)
    raise AssertionError(f"{_unsent(db)} message(s) still unsent")


def _assert_each_once_in_order(fake: FakeSlack, per_channel: int = 4) -> None:
    for channel in CHANNELS:
        assert [m["text"] for m in fake.messages(channel)] == [f"{channel}-{n}" for n in range(per_channel)]


def _sample(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


def test_429s_and_500s_for_a_while(db: Database, fake: FakeSlack) -> None:
    clock, metrics = Clock(), Metrics()
    worker = _worker(db, fake, clock, metrics=metrics)
    _enqueue(db, clock)
    fake.fail("chat.postMessage", status=429, retry_after=20)
    assert worker.deliver_due() == 1
    # The 429 paused the whole method: the other channels' heads were not sent into the limit.
    assert len(fake.calls_to("chat.postMessage")) == 1
    clock.advance(20)
    fake.fail("chat.postMessage", status=500, times=4)
    fake.fail("chat.postMessage", status=429, retry_after=3, times=2)
    _run_until_sent(worker, db, clock)
    _assert_each_once_in_order(fake)
    assert _sample(metrics, "coopbot_outbox_deliveries_total", outcome="sent") == 12
    assert _sample(metrics, "coopbot_slack_api_errors_total", method="chat.postMessage", error="ratelimited") == 3
    assert _sample(metrics, "coopbot_slack_api_errors_total", method="chat.postMessage", error="http 500") == 4


def test_slack_unreachable_for_30_seconds(db: Database, fake: FakeSlack) -> None:
    clock = Clock()
    worker = _worker(db, fake, clock)
    _enqueue(db, clock)
    fake.set_down(True)
    start = clock.now
    while clock.now - start < timedelta(seconds=30):
        worker.deliver_due()
        clock.advance(1)
    assert all(fake.messages(c) == [] for c in CHANNELS) and _unsent(db) == 12
    fake.set_down(False)
    _run_until_sent(worker, db, clock)
    _assert_each_once_in_order(fake)
    # A dropped connection may have been a post Slack took: those were looked up before posting again.
    assert fake.calls_to("conversations.history")


def test_a_claim_lapsed_mid_delivery_is_looked_up_not_posted_again(db: Database, fake: FakeSlack) -> None:
    clock = Clock()
    dead, survivor = _worker(db, fake, clock), _worker(db, fake, clock)
    with db.transaction() as session:
        outbox.post(session, channel="C1", text="report", key="problem:1")
        outbox.update(session, key="problem:1", channel="C1", text="report, acknowledged")
        outbox.post(session, channel="U0PERSON", text="a DM", key="dm:1")
    clock.now = _newest(db)
    # The first replica claims both conversations' heads, Slack takes the posts, and it dies before recording.
    for row in dead._claim(50):  # the claim marks the posts in flight
        if row.kind == OutboxKind.POST:
            assert dead.calls.attempt(row).status == OutboxStatus.SENT
    assert survivor.deliver_due() == 0  # the lease still holds
    clock.advance(dead.lease.total_seconds() + 1)
    assert survivor.deliver_due() == 3
    [message] = fake.messages("C1")
    assert message["text"] == "report, acknowledged" and len(fake.messages("DU0PERSON")) == 1
    assert len(fake.calls_to("chat.postMessage")) == 2
    with db.session() as session:
        assert session.get(SlackMessage, "problem:1").ts == message["ts"]  # type: ignore[union-attr]
        assert session.get(SlackMessage, "dm:1").channel == "DU0PERSON"  # type: ignore[union-attr]
    assert _unsent(db) == 0


def test_a_busy_channel_is_paced_and_the_method_budget_holds(db: Database, fake: FakeSlack) -> None:
    clock = Clock()
    worker = _worker(db, fake, clock)
    stamps: list[tuple[str, float]] = []
    fake.observers.append(lambda method, args, _answer: stamps.append((str(args.get("channel")), clock.now.timestamp()))
                          if method == "chat.postMessage" else None)
    with db.transaction() as session:
        for n in range(25):
            outbox.post(session, channel="CBUSY", text=f"busy-{n}")
        for n in range(60):
            outbox.post(session, channel=f"CQUIET{n:02d}", text="hello")
    clock.now = _newest(db)
    start = clock.now.timestamp()
    _run_until_sent(worker, db, clock, step=1.0)
    busy = [t for c, t in stamps if c == "CBUSY"]
    assert [m["text"] for m in fake.messages("CBUSY")] == [f"busy-{n}" for n in range(25)]
    # A burst of 10, then about one a second: no stretch of posts beats the bucket's burst plus its rate.
    assert all(j - i + 1 <= CHANNEL_BURST + CHANNEL_RATE * (busy[j] - busy[i]) + 0.01
               for i, j in itertools.combinations(range(len(busy)), 2))
    assert busy[-1] - busy[0] >= (25 - CHANNEL_BURST) / CHANNEL_RATE - 1
    # chat.postMessage budget: a burst, then the method's rate (85 posts cannot all go in the first 5 s).
    rate, burst = METHOD_LIMITS["chat.postMessage"]
    within = 5
    assert len([t for _c, t in stamps if t - start < within]) <= burst + rate * within + 1 < 85
    assert len(stamps) == 85


def test_a_channel_backlog_does_not_starve_other_conversations(db: Database, fake: FakeSlack) -> None:
    """Posts waiting on one channel's pace (a burst of reports) must not hold up the DMs and
    App Homes written after them: each pass takes a few rows per channel, and a paced channel none."""
    clock = Clock()
    worker = _worker(db, fake, clock, render_home=lambda user: {"type": "home", "blocks": []})
    with db.transaction() as session:
        for n in range(120):  # more than a pass takes (50)
            outbox.post(session, channel="CBUSY", text=f"report-{n}")
        outbox.post(session, channel="U0MENTOR", text="a report for you")
        outbox.refresh_homes(session, ["U0TEACHER"])
    clock.now = _newest(db)
    passes = 0
    while not fake.messages("DU0MENTOR") or not fake.calls_to("views.publish"):
        worker.deliver_due()
        passes += 1
        assert passes <= 3, "the DM and the App Home waited behind the busy channel"
    assert len(fake.messages("CBUSY")) <= 20  # the busy channel goes at its own pace meanwhile
    _run_until_sent(worker, db, clock, step=1.0)
    assert [m["text"] for m in fake.messages("CBUSY")] == [f"report-{n}" for n in range(120)]
    assert len(fake.messages("DU0MENTOR")) == 1 and len(fake.calls_to("views.publish")) == 1


def _partnership(db: Database, channel: str) -> None:
    with db.transaction() as session:
        partnership = Partnership(name="P", school="S", enterprise="E", channel_id=channel, language="en")
        session.add(partnership)
        for user, role, side in (("U0COORD1", Role.COORDINATOR, Side.SCHOOL), ("U0COORD2", Role.COORDINATOR,
                                 Side.ENTERPRISE), ("U0TEACH", Role.TEACHER, Side.SCHOOL)):
            person = Person(slack_user_id=user, name=user, side=side)
            session.add(person)
            session.flush()
            session.add(Membership(person_id=person.id, partnership_id=partnership.id, role=role))


def test_coordinators_hear_once_per_channel_per_episode(db: Database, fake: FakeSlack) -> None:
    clock = Clock()
    worker = _worker(db, fake, clock)
    _partnership(db, "C0ARCH")
    fake.fail("chat.postMessage", error="is_archived")
    with db.transaction() as session:
        outbox.post(session, channel="C0ARCH", text="one", notify_user="U0TEACH")
        outbox.post(session, channel="C0ARCH", text="two")
    clock.now = _newest(db)
    for _ in range(3):
        worker.deliver_due()
        clock.advance(1)

    def told(user: str) -> list[str]:
        return [str(c.args["text"]) for c in fake.calls_to("chat.postMessage") if c.args["channel"] == user]

    assert len(told("U0COORD1")) == len(told("U0COORD2")) == len(told("U0TEACH")) == 1
    assert "archived" in told("U0COORD1")[0] and "<#C0ARCH>" in told("U0COORD1")[0]
    row = _first(db, "C0ARCH")
    assert row.status == OutboxStatus.PARKED and row.last_error == "is_archived" and row.attempts == 1
    clock.advance(20 * 60)  # the 15-minute probe fails the same way: nobody is told again
    fake.fail("chat.postMessage", error="is_archived")
    worker.deliver_due()
    assert len(told("U0COORD1")) == 1
    requeue_channel(db, "C0ARCH")  # unarchived and re-invited: the episode ends with a delivery
    clock.advance(1)
    _run_until_sent(worker, db, clock, step=1.0)
    assert [m["text"] for m in fake.messages("C0ARCH")] == ["one", "two"]
    with db.session() as session:
        assert session.get(ChannelAlert, "C0ARCH") is None
    fake.not_in_channel.add("C0ARCH")  # a new episode: told again
    with db.transaction() as session:
        outbox.post(session, channel="C0ARCH", text="three")
    clock.advance(1)
    worker.deliver_due()
    clock.advance(1)
    worker.deliver_due()
    assert len(told("U0COORD1")) == 2 and "/invite @coopbot" in told("U0COORD1")[1]


def _first(db: Database, channel: str) -> OutboxMessage:
    with db.session() as session:
        return session.scalars(select(OutboxMessage).where(OutboxMessage.channel == channel)
                               .order_by(OutboxMessage.id)).first()  # type: ignore[return-value]


def test_shutdown_finishes_the_delivery_in_flight(db: Database, fake: FakeSlack) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[], timeout=5)
    worker = DeliveryWorker(db, client, poll_seconds=0.05)
    fake.delay("chat.postMessage", 1.0)
    worker.start()
    try:
        with db.transaction() as session:
            outbox.post(session, channel="C9", text="in flight", key="k9")
        fake.wait_for("chat.postMessage", timeout=10)  # Slack has the request and is slow to answer
    finally:
        worker.stop(timeout=15)
    assert not worker.running
    row = _first(db, "C9")
    assert row.status == OutboxStatus.SENT and [m["text"] for m in fake.messages("C9")] == ["in flight"]


def test_a_method_slack_paused_does_not_hold_up_the_others(db: Database, fake: FakeSlack) -> None:
    """App Homes answered 429 (Retry-After 2) must not make a report's channel post wait behind one inline
    sleep per home: the homes wait out the pause in the outbox, the post goes now."""
    clock = Clock()
    worker = _worker(db, fake, clock)
    view = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "主页"}}]}
    with db.transaction() as session:
        for n in range(40):
            outbox.publish_home(session, user=f"U0PERSON{n:02d}", view=view)
        outbox.post(session, channel="C1", text="新的问题报告")
    clock.now = _newest(db)
    started = clock.now
    fake.fail("views.publish", status=429, retry_after=2)
    worker.deliver_due()
    assert [m["text"] for m in fake.messages("C1")] == ["新的问题报告"]
    assert clock.now - started < timedelta(seconds=MAX_INLINE_WAIT + 1)  # at most one short wait, not 40
    assert len(fake.calls_to("views.publish")) == 1  # one 429 paused the method; the rest wait for it
    _run_until_sent(worker, db, clock, step=1.0)
    published = [c.args["user_id"] for c in fake.calls_to("views.publish")][1:]
    assert sorted(published) == [f"U0PERSON{n:02d}" for n in range(40)]  # each once, after the pause


def test_once_slack_takes_messages_again_none_waits_out_a_backoff_grown_during_the_outage(
        db: Database, fake: FakeSlack) -> None:
    """Twenty minutes of 503s grow the messages' backoff (up to five minutes each). When Slack answers again,
    the first message it takes makes the rest due: they go out in the next pass, not minutes later."""
    clock = Clock()
    worker = _worker(db, fake, clock)
    _enqueue(db, clock, per_channel=2)
    fake.fail("*", status=503, times=10_000)
    for _ in range(40):  # 20 minutes of outage, a pass every 30 s
        worker.deliver_due()
        clock.advance(30)
    with db.session() as session:
        waits = [row.next_attempt_at - clock.now for row in session.scalars(select(OutboxMessage))]
    assert max(waits) > timedelta(seconds=30)  # backed off far past the few seconds the test waits below
    fake.recover()  # Slack is back
    with db.transaction() as session:
        outbox.post(session, channel="C9", text="new")  # something due now, which Slack takes
    clock.advance(1)
    worker.deliver_due()  # takes "new": the outage is over, the others are made due
    clock.advance(1)
    worker.deliver_due()
    clock.advance(2)
    worker.deliver_due()
    assert _unsent(db) == 0  # within seconds of Slack's return, not minutes
    _assert_each_once_in_order(fake, per_channel=2)


def test_a_post_slack_takes_after_the_call_timed_out_is_not_posted_again(db: Database, fake: FakeSlack) -> None:
    """The call times out, and Slack posts the message a moment later all the same. The retry waits until Slack
    can no longer be acting on the first call, then finds the message instead of posting it again."""
    import time

    from bot.delivery.calls import TIMED_OUT_SETTLE_SECONDS

    clock = Clock()
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[], timeout=1)
    worker = DeliveryWorker(db, client, clock=clock, sleep=clock.advance, max_attempts=50)
    with db.transaction() as session:
        outbox.post(session, channel="C1", text="report", key="problem:1")
        outbox.post(session, channel="C2", text="another channel")  # Slack answering it ends the "outage"
    clock.now = _newest(db)
    fake.delay("chat.postMessage", 2.0)  # the first call times out after 1 s; Slack posts it after 2 s
    worker.deliver_due()
    clock.advance(3)  # a backoff's worth: the old retry came here, looked, missed it, and posted again
    worker.deliver_due()
    assert fake.messages("C1") == []  # nothing looked up or posted yet
    time.sleep(2.5)  # Slack acts on the first call
    assert [m["text"] for m in fake.messages("C1")] == ["report"]
    _run_until_sent(worker, db, clock, step=TIMED_OUT_SETTLE_SECONDS / 4)
    assert [m["text"] for m in fake.messages("C1")] == ["report"]  # found, not posted twice
    assert len(fake.calls_to("chat.postMessage")) == 2  # the timed-out call and C2's, no repeat
    with db.session() as session:
        assert session.get(SlackMessage, "problem:1").ts == fake.messages("C1")[0]["ts"]  # type: ignore[union-attr]


def test_posts_held_back_by_their_channels_pace_are_posted_without_a_look_in_slack_first(
        db: Database, fake: FakeSlack) -> None:
    """A claim marks its posts "in flight" (a crash after the call must look before posting again); a post
    the pass then gives back unattempted, its channel's pace spent, was never sent and needs no look. Under a
    burst of reports each such look was a Tier 3 call, and their 429s held up every post."""
    clock = Clock()
    worker = _worker(db, fake, clock)
    with db.transaction() as session:
        for n in range(25):
            outbox.post(session, channel="CBUSY", text=f"report-{n}", key=f"problem:{n}")
    clock.now = _newest(db)
    _run_until_sent(worker, db, clock, step=1.0)
    assert [m["text"] for m in fake.messages("CBUSY")] == [f"report-{n}" for n in range(25)]
    assert fake.calls_to("conversations.history") == []


def _slow_then_quick(db: Database, fake: FakeSlack, lanes: int) -> tuple[float, float]:
    """Slack takes 3 s over a post to one channel; a DM is queued while that call is in flight. When (seconds
    after the slow call reached Slack) the DM reached Slack, and when the slow call came back."""
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[], timeout=10)
    worker = DeliveryWorker(db, client, poll_seconds=0.2, lanes=lanes)
    fake.delay("chat.postMessage", 3.0, times=1)
    with db.transaction() as session:
        outbox.post(session, channel="CSLOW", text="slow-1")
        outbox.post(session, channel="CSLOW", text="slow-2")
    worker.start()
    try:
        [slow] = fake.wait_for("chat.postMessage", timeout=10)
        with db.transaction() as session:
            outbox.post(session, channel="U0QUICK", text="quick")
        [quick] = fake.wait_for("chat.postMessage", timeout=10, where=lambda c: c.args.get("channel") == "U0QUICK")
        [_, second] = fake.wait_for("chat.postMessage", count=2, timeout=10,
                                    where=lambda c: c.args.get("channel") == "CSLOW")
        assert worker.running
    finally:
        worker.stop()
    assert [m["text"] for m in fake.messages("CSLOW")] == ["slow-1", "slow-2"]  # its order kept
    assert _unsent(db) == 0
    return quick.at - slow.at, second.at - slow.at


def test_with_lanes_a_conversation_slow_in_slack_holds_up_no_other(db: Database, fake: FakeSlack) -> None:
    quick, slow_done = _slow_then_quick(db, fake, lanes=2)
    assert quick < 1.5 < 3.0 <= slow_done  # the DM went out while the slow post was still in Slack's hands


def test_one_lane_waits_for_a_slow_call_before_the_next_conversation(db: Database, fake: FakeSlack) -> None:
    """The control for the test above: with one lane the DM waits out the slow post."""
    quick, _ = _slow_then_quick(db, fake, lanes=1)
    assert quick >= 3.0
