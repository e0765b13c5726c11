"""Several replicas on one database: one scheduler at a time, a job run once per period, a replica killed
mid-delivery, PostgreSQL restarted under load. Each ends with every message delivered exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.container import Services, build_services
from bot.delivery import outbox
from bot.devtools.fake_slack import FakeSlack
from bot.storage.db import Database
from models.base import utcnow
from models.delivery import OutboxMessage, OutboxStatus
from models.schedule import JobRun
from scheduler.engine import CalendarScheduler
from scheduler.jobs import run_job
from tests.support.cli import COOPBOT, free_port
from tests.support.harness import CHANNEL, OTHER_CHANNEL, Harness
from tests.support.slack import BOT_TOKEN, SIGNING_SECRET


def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout}s"
        time.sleep(0.05)


@pytest.fixture
def second(harness: Harness) -> Iterator[Services]:
    """Another replica's services: the same settings and database, its own engine and pool."""
    db = Database(harness.db.url)
    try:
        yield build_services(harness.services.settings, db=db, client=harness.services.client)
    finally:
        db.dispose()


def test_only_the_lease_holder_runs_the_scheduler(harness: Harness, second: Services) -> None:
    first_replica, second_replica = CalendarScheduler(harness.services), CalendarScheduler(second)
    first_replica.start()
    second_replica.start()
    try:
        assert first_replica.active and not second_replica.active
        assert not second_replica.scheduler.running
        status = second_replica.status()
        assert status["state"] == "standby" and status["lease_holder"] == first_replica.lease.holder
        # The holder dies without a word: once its lease lapses, the standby takes over ...
        ttl = second_replica.lease.ttl
        second_replica.lease.clock = lambda: utcnow() + ttl + timedelta(seconds=1)
        second_replica.check_lease()
        assert second_replica.active and second_replica.scheduler.running
        # ... and should the first come back, it finds the lease taken and stands by.
        first_replica.check_lease()
        assert not first_replica.active and not first_replica.scheduler.running
    finally:
        first_replica.stop()
        second_replica.stop()
    assert second_replica.status()["lease_holder"] is None  # a clean stop hands the lease on at once


def test_a_clean_stop_hands_the_scheduler_over(harness: Harness, second: Services) -> None:
    first_replica, second_replica = CalendarScheduler(harness.services), CalendarScheduler(second)
    first_replica.start()
    second_replica.start()
    try:
        first_replica.stop()
        second_replica.check_lease()  # what its watcher does every third of the ttl
        assert second_replica.active
    finally:
        second_replica.stop()


def test_two_replicas_run_the_quarterly_job_at_the_same_instant(harness: Harness, second: Services) -> None:
    instant = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)  # the first working day of 2027Q1 everywhere
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def replica(services: Services) -> None:
        barrier.wait(timeout=10)
        counts.append(run_job("quarterly-prompt", services, instant))

    threads = [threading.Thread(target=replica, args=(s,)) for s in (harness.services, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads) and len(counts) == 2  # both replicas ran it
    assert sum(counts) == 2  # the two partnerships, each prompted once, by one replica or the other
    with harness.db.session() as session:
        assert session.scalar(select(func.count()).select_from(JobRun)) == 2
    harness.deliver()
    for channel in (CHANNEL, OTHER_CHANNEL):
        assert len(harness.channel_messages(channel)) == 1


def _serve(env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen([COOPBOT, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"],
                               env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert process.poll() is None, process.communicate()[1]
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).close()
        except OSError:
            return False
        return True

    _until(healthy, 30, "coopbot serve answers /healthz")
    return process, base


def _row(db: Database, key: str) -> OutboxMessage:
    with db.session() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.message_key == key)).one()
        return row


def test_a_replica_killed_during_delivery_posts_once_after_restart(db: Database, tmp_path: Path) -> None:
    if db.is_sqlite:
        pytest.skip("replicas share PostgreSQL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COOPBOT_"))}
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        env |= {"DATABASE_URL": db.url, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": fake.url, "COOPBOT_OUTBOX_POLL_SECONDS": "0.1", "COOPBOT_OUTBOX_LEASE_SECONDS": "2"}
        fake.delay("chat.postMessage", 2.0)  # Slack is slow: the post is still in flight when we kill
        doomed, _ = _serve(env, tmp_path)
        try:
            with db.transaction() as session:
                outbox.post(session, channel="C0KILL", text="exactly once", key="kill:1")
            fake.wait_for("chat.postMessage", timeout=20)
        finally:
            doomed.send_signal(signal.SIGKILL)
            doomed.communicate(timeout=10)
        _until(lambda: len(fake.messages("C0KILL")) == 1, 10, "Slack finishes the post the dead replica sent")
        row = _row(db, "kill:1")
        assert row.status == OutboxStatus.PENDING and (row.last_error or "").startswith("outcome unknown")
        restarted, _ = _serve(env, tmp_path)
        try:
            _until(lambda: _row(db, "kill:1").status == OutboxStatus.SENT, 30, "the restarted replica records it")
        finally:
            restarted.send_signal(signal.SIGTERM)
            _, stderr = restarted.communicate(timeout=30)
        assert restarted.returncode == 0, stderr
    assert [m["text"] for m in fake.messages("C0KILL")] == ["exactly once"]
    assert len(fake.calls_to("chat.postMessage")) == 1 and fake.calls_to("conversations.history")
