"""APScheduler set-up: a BackgroundScheduler whose jobs persist in the app's own database.

- The job store is APScheduler's SQLAlchemyJobStore on the app's engine (table `apscheduler_jobs`,
  created by APScheduler and kept out of our Alembic comparison). Schedules survive restarts.
- A restart keeps a stored job whose schedule did not change, with its stored next run time, so a run
  missed during downtime is still due: it runs once if it is at most COOPBOT_MISFIRE_GRACE_SECONDS
  late (`misfire_grace_time`), several missed runs collapse into one (`coalesce`), and a job never
  overlaps itself (`max_instances=1`).
- Stored jobs point at `run_scheduled(name)` by reference, never at live objects, so the store holds
  only a name; the process's services are registered when the scheduler starts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import inspect

from bot.container import Services
from bot.settings import Settings
from models.base import utcnow
from scheduler.cron import parse_cron
from scheduler.jobs import JOBS, run_job

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"
_services: Services | None = None


def run_scheduled(name: str) -> None:
    """What the job store calls. Failures are logged (APScheduler would only log them less clearly)."""
    services = _services
    if services is None:
        log.warning("job %s fired with no services registered; skipped", name)
        return
    try:
        run_job(name, services)
    except Exception:
        log.exception("job %s failed; it runs again at its next time", name)


class CalendarScheduler:
    """The scheduler `coopbot serve` runs in-process (not with --no-scheduler)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        settings = services.settings
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=services.db.engine, tablename=JOB_TABLE)},
            executors={"default": ThreadPoolExecutor(max_workers=4)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": settings.coopbot_misfire_grace_seconds},
            timezone=settings.coopbot_timezone,
        )

    def start(self) -> None:
        global _services
        _services = self.services
        self.scheduler.start(paused=True)  # load the store without running anything yet
        self.sync_jobs()
        self.scheduler.resume()  # now: due runs (misfired within grace) go once

    def stop(self, wait: bool = True) -> None:
        """Stop scheduling; with `wait`, let a running job finish (its work is one transaction per item)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)

    def sync_jobs(self) -> None:
        """Make the store hold exactly our jobs with the configured schedules.

        A job whose schedule is unchanged is left alone: replacing it would recompute its next run time
        and forget a run missed while we were down.
        """
        settings = self.services.settings
        grace = settings.coopbot_misfire_grace_seconds
        for spec in JOBS.values():
            trigger = parse_cron(spec.cron(settings), settings.coopbot_timezone)
            stored = self.scheduler.get_job(spec.name)
            if stored is not None and repr(stored.trigger) == repr(trigger) and stored.args == (spec.name,):
                if stored.misfire_grace_time != grace:
                    stored.modify(misfire_grace_time=grace)
                continue
            self.scheduler.add_job(run_scheduled, trigger, args=[spec.name], id=spec.name, name=spec.name,
                                   replace_existing=True)
        for job in self.scheduler.get_jobs():
            if job.id not in JOBS:
                log.info("removing stored job %s (no longer defined)", job.id)
                job.remove()

    def jobs(self) -> list[Job]:
        return list(self.scheduler.get_jobs())


@dataclass(frozen=True)
class JobListing:
    name: str
    cron: str
    variable: str
    next_run: datetime | None
    description: str


def list_jobs(services: Services, now: datetime | None = None) -> list[JobListing]:
    """Every job with its schedule and next run time: the stored one if a scheduler has run with this
    schedule (it may be a missed run still due), else when the schedule fires next."""
    settings: Settings = services.settings
    stored: dict[str, Job] = {}
    if inspect(services.db.engine).has_table(JOB_TABLE):
        store = SQLAlchemyJobStore(engine=services.db.engine, tablename=JOB_TABLE)
        stored = {job.id: job for job in store.get_all_jobs()}
    moment = now or utcnow()
    listings = []
    for spec in JOBS.values():
        trigger = parse_cron(spec.cron(settings), settings.coopbot_timezone)
        job = stored.get(spec.name)
        if job is not None and repr(job.trigger) == repr(trigger):
            next_run = job.next_run_time
        else:
            next_run = trigger.get_next_fire_time(None, moment.astimezone(trigger.timezone))
        listings.append(JobListing(spec.name, spec.cron(settings), spec.variable, next_run, spec.description))
    return listings
