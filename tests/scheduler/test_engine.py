"""The scheduler on the persistent job store: restarts keep the jobs, a missed run runs once."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import func, inspect, select, text

from bot.container import Services
from models.base import utcnow
from models.delivery import OutboxMessage
from scheduler import jobs
from scheduler.engine import JOB_TABLE, CalendarScheduler, list_jobs
from tests.support.harness import Harness


@pytest.fixture
def services(harness: Harness) -> Iterator[Services]:
    """The harness's services, on an empty job store."""
    if inspect(harness.db.engine).has_table(JOB_TABLE):
        with harness.db.engine.begin() as conn:
            conn.execute(text("DELETE FROM apscheduler_jobs"))
    yield harness.services


class Counter:
    def __init__(self) -> None:
        self.calls = 0
        self.ran = threading.Event()

    def __call__(self, services: Services, now: datetime) -> int:
        self.calls += 1
        self.ran.set()
        return 0


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, Counter]:
    """Every job replaced by a counter, so a test sees exactly how often the scheduler ran each."""
    counters = {name: Counter() for name in jobs.JOBS}
    for name, counter in counters.items():
        monkeypatch.setitem(jobs.JOBS, name, dataclasses.replace(jobs.JOBS[name], run=counter))
    return counters


def _stopped_with(services: Services, **next_runs: datetime) -> None:
    """Run a scheduler once (creating the stored jobs), set stored next run times, and stop it: as if
    the process went down with those runs still ahead (or missed)."""
    first = CalendarScheduler(services)
    first.scheduler.start(paused=True)  # never resumed: nothing runs in this one
    first.sync_jobs()
    first.stop()
    store = SQLAlchemyJobStore(engine=services.db.engine, tablename=JOB_TABLE)
    for name, when in next_runs.items():
        job = store.lookup_job(name.replace("_", "-"))
        assert job is not None
        job.next_run_time = when
        store.update_job(job)


def test_a_restart_keeps_the_stored_jobs_and_their_times(services: Services) -> None:
    later = (utcnow() + timedelta(days=2, minutes=7)).replace(microsecond=0)
    _stopped_with(services, digest=later)
    second = CalendarScheduler(services)
    second.start()
    try:
        stored = {job.id: job for job in second.jobs()}
        assert set(stored) == set(jobs.JOBS)
        assert stored["digest"].next_run_time == later  # kept, not recomputed from the schedule
        assert all(job.coalesce and job.max_instances == 1 for job in stored.values())
    finally:
        second.stop()
    listed = {job.name: job for job in list_jobs(services)}
    assert listed["digest"].next_run == later and listed["reminders"].cron == "*/15 * * * *"


def test_a_missed_run_within_the_grace_time_runs_once(services: Services, counted: dict[str, Counter]) -> None:
    _stopped_with(services, reminders=utcnow() - timedelta(minutes=50))  # three quarter-hours missed
    scheduler = CalendarScheduler(services)
    scheduler.start()
    try:
        assert counted["reminders"].ran.wait(10), "the missed run did not run"
        time.sleep(0.5)
        assert counted["reminders"].calls == 1  # coalesced
        assert counted["digest"].calls == 0
        nxt = scheduler.scheduler.get_job("reminders").next_run_time
        assert nxt is not None and nxt > utcnow()
    finally:
        scheduler.stop()


def test_a_run_missed_beyond_the_grace_time_is_skipped(services: Services, counted: dict[str, Counter]) -> None:
    _stopped_with(services, digest=utcnow() - timedelta(hours=2))  # the grace time is one hour
    scheduler = CalendarScheduler(services)
    scheduler.start()
    try:
        time.sleep(1.0)
        assert counted["digest"].calls == 0
        nxt = scheduler.scheduler.get_job("digest").next_run_time
        assert nxt is not None and nxt > utcnow()
    finally:
        scheduler.stop()


def test_a_restart_in_the_middle_of_a_period_does_not_post_again(services: Services, harness: Harness) -> None:
    def run_digest_now() -> None:
        scheduler = CalendarScheduler(services)
        scheduler.start()
        try:
            scheduler.scheduler.modify_job("digest", next_run_time=utcnow())
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                job = scheduler.scheduler.get_job("digest")
                if job.next_run_time and job.next_run_time > utcnow() + timedelta(minutes=1):
                    break
                time.sleep(0.05)
        finally:
            scheduler.stop(wait=True)

    def outbox_rows() -> int:
        with harness.db.session() as session:
            return int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)

    run_digest_now()
    assert outbox_rows() == 2  # one digest per partnership channel
    run_digest_now()  # a new process, same week
    assert outbox_rows() == 2


def test_changing_a_schedule_replaces_the_stored_job(services: Services) -> None:
    _stopped_with(services)
    services.settings.coopbot_digest_cron = "30 7 * * fri"
    scheduler = CalendarScheduler(services)
    scheduler.start()
    try:
        nxt = scheduler.scheduler.get_job("digest").next_run_time
        assert nxt is not None and (nxt.weekday(), nxt.hour, nxt.minute) == (4, 7, 30)
    finally:
        scheduler.stop()
