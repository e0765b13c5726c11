"""APScheduler set-up: a BackgroundScheduler whose jobs persist in the app's own database.

- The job store is APScheduler's SQLAlchemyJobStore on the app's engine (table `apscheduler_jobs`,
  created by APScheduler and kept out of our Alembic comparison). Schedules survive restarts.
- A restart keeps a stored job whose schedule did not change, with its stored next run time, so a run
  missed during downtime is still due: it runs once if it is at most COOPBOT_MISFIRE_GRACE_SECONDS
  late (`misfire_grace_time`), several missed runs collapse into one (`coalesce`), and a job never
  overlaps itself (`max_instances=1`).
- Stored jobs point at `run_scheduled(name)` by reference, never at live objects, so the store holds
  only a name; the process's services are registered when the scheduler starts.
- Several replicas: APScheduler 3 must not share a job store between running schedulers, so only the
  holder of the `scheduler` lease (scheduler/lease.py) runs one; the others stand by, check the lease
  every third of its ttl and take over when it lapses. The JobRun ledger still makes a double run
  harmless (a job that was running when its replica lost the lease).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import inspect

from bot.container import Services
from bot.observability import Metrics
from bot.settings import Settings
from models.base import utcnow
from scheduler.cron import parse_cron
from scheduler.jobs import JOBS, run_job
from scheduler.lease import DatabaseLease

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"
LEASE_NAME = "scheduler"
_services: Services | None = None
_metrics: Metrics | None = None


def run_scheduled(name: str) -> None:
    """What the job store calls. Failures are logged (APScheduler would only log them less clearly)."""
    services = _services
    if services is None:
        log.warning("job %s fired with no services registered; skipped", name)
        return
    outcome = "ok"
    try:
        run_job(name, services)
    except Exception:
        outcome = "failed"
        log.exception("job %s failed; it runs again at its next time", name)
    if _metrics is not None:
        _metrics.job_runs.labels(name, outcome).inc()


class CalendarScheduler:
    """The scheduler `coopbot serve` runs in-process (not with --no-scheduler), while it holds the lease."""

    def __init__(self, services: Services, metrics: Metrics | None = None) -> None:
        self.services = services
        self.metrics = metrics
        self.lease = DatabaseLease(services.db, LEASE_NAME,
                                   timedelta(seconds=services.settings.coopbot_scheduler_lease_seconds))
        self.scheduler = self._new_scheduler()
        self._lock = threading.RLock()
        self._active = False
        self._used = False  # an APScheduler is not restarted after shutdown: a new one is made
        self._stop = threading.Event()
        self._watch: threading.Thread | None = None

    def _new_scheduler(self) -> BackgroundScheduler:
        settings = self.services.settings
        return BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.services.db.engine, tablename=JOB_TABLE)},
            executors={"default": ThreadPoolExecutor(max_workers=4)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": settings.coopbot_misfire_grace_seconds},
            timezone=settings.coopbot_timezone,
        )

    @property
    def active(self) -> bool:
        """Whether this replica runs the jobs now (it holds the lease)."""
        return self._active

    def start(self) -> None:
        """Take the lease and run the jobs if no other replica does; else stand by and watch it."""
        global _services, _metrics
        _services = self.services
        _metrics = self.metrics or _metrics
        self._stop.clear()
        self.check_lease()
        self._watch = threading.Thread(target=self._watch_lease, name="scheduler-lease", daemon=True)
        self._watch.start()

    def _watch_lease(self) -> None:
        while not self._stop.wait(self.lease.ttl.total_seconds() / 3):
            try:
                self.check_lease()
            except Exception:
                log.exception("scheduler lease check failed; trying again")

    def check_lease(self) -> None:
        """Renew or take the lease; start the jobs when we get it, stop them when we lose it."""
        with self._lock:
            if self._stop.is_set():
                return
            if self.lease.acquire():
                if not self._active:
                    self._activate()
            elif self._active and (self.lease.taken or not self.lease.held()):
                log.warning("lost the scheduler lease; standing by")
                self._deactivate(wait=False)

    def _activate(self) -> None:
        if self._used:
            self.scheduler = self._new_scheduler()
        self._used = True
        try:
            self.scheduler.start(paused=True)  # load the store without running anything yet
            self.sync_jobs()
            self.scheduler.resume()  # now: due runs (misfired within grace) go once
        except Exception:
            log.exception("could not start the scheduler; trying again at the next lease check")
            if self.scheduler.running:
                self.scheduler.shutdown(wait=False)
            return
        self._active = True
        log.info("running the scheduled jobs here (lease holder %s)", self.lease.holder)

    def _deactivate(self, wait: bool) -> None:
        self._active = False
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)

    def stop(self, wait: bool = True) -> None:
        """Stop scheduling; with `wait`, let a running job finish (its work is one transaction per item).
        Then give the lease up, so a standby replica takes over at once."""
        self._stop.set()
        if self._watch is not None:
            self._watch.join(5)
        with self._lock:
            was_active = self._active
            self._deactivate(wait=wait)
            if was_active or self.lease.expires_at is not None:
                self.lease.release()
        if self.scheduler.running:  # started by hand (tests), outside the lease
            self.scheduler.shutdown(wait=wait)

    def status(self) -> dict[str, Any]:
        """For /healthz: whether the jobs run here, and who holds the lease."""
        state = self.lease.state()
        return {"state": "running" if self._active else "standby", "lease_holder": state.holder,
                "lease_expires_at": state.expires_at.isoformat() if state.expires_at else None,
                "this_replica": self.lease.holder}

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
