"""The cooperation calendar's jobs: thin functions `(services, now) -> int` that call services.

Each returns how many things it posted or escalated. All of them are safe to run twice for the same
period (the services claim JobRun rows), so the scheduler, another replica and `coopbot jobs run`
can never double-post. Which partnership is due is decided inside, in its own timezone.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.container import Services
from bot.digests.service import digest_service
from bot.meetings.quarterly import QuarterlyPrompts
from bot.problems.escalation import escalate_unacknowledged
from bot.settings import Settings
from bot.storage.housekeeping import prune

log = logging.getLogger(__name__)

JobFunction = Callable[[Services, datetime], int]

# Other workflows' reminder functions, `(services, now) -> int`, run by `reminders` when they exist.
# Imported lazily: the calendar works before (and without) those workflows.
REMINDER_HOOKS: tuple[tuple[str, str], ...] = (
    ("bot.meetings.jobs", "send_meeting_reminders"),
    ("bot.meetings.jobs", "ask_for_minutes"),
    ("bot.meetings.jobs", "send_action_item_reminders"),
    ("bot.exchanges.jobs", "activate_started"),
    ("bot.exchanges.jobs", "request_assessments"),
    ("bot.exchanges.jobs", "send_review_reminders"),
    ("bot.internships.jobs", "request_evaluations"),
)


@dataclass(frozen=True)
class JobSpec:
    name: str
    cron_setting: str  # the Settings attribute holding its crontab expression
    run: JobFunction
    description: str

    def cron(self, settings: Settings) -> str:
        return str(getattr(settings, self.cron_setting))

    @property
    def variable(self) -> str:
        return self.cron_setting.upper()


def quarterly_prompt(services: Services, now: datetime) -> int:
    settings = services.settings
    return QuarterlyPrompts(services.db, default_timezone=settings.coopbot_timezone,
                            holidays=settings.coopbot_holidays, clock=services.clock).post_due(now)


def digest(services: Services, now: datetime) -> int:
    return digest_service(services).post_weekly(now)


def quarter_end_digest(services: Services, now: datetime) -> int:
    return digest_service(services).post_quarter_end(now)


def reminders(services: Services, now: datetime) -> int:
    """Escalate unacknowledged problems, then every other workflow's reminders that exist.

    One part failing is logged and does not stop the others: a broken meeting reminder must not keep a
    P1 problem from reaching the coordinators.
    """
    total = escalate_unacknowledged(services.db, now, services.settings.coopbot_timezone)
    for function in reminder_hooks():
        try:
            total += int(function(services, now) or 0)
        except Exception:
            log.exception("reminders: %s failed; the other reminders still ran", function.__qualname__)
    return total


def housekeeping(services: Services, now: datetime) -> int:
    """Delete delivered messages and handled-request records past their retention (bot.storage.housekeeping)."""
    pruned = prune(services.db, now, timedelta(days=services.settings.coopbot_retention_days))
    log.info("housekeeping: deleted %d delivered messages and %d handled-request records",
             pruned.delivered_messages, pruned.processed_requests)
    return pruned.total


def reminder_hooks() -> list[JobFunction]:
    """The reminder functions of other workflows that are present in this build."""
    found: list[JobFunction] = []
    for module_name, attribute in REMINDER_HOOKS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise  # the module exists but is broken: say so
            continue
        function = getattr(module, attribute, None)
        if callable(function):
            found.append(function)
    return found


JOBS: dict[str, JobSpec] = {spec.name: spec for spec in (
    JobSpec("quarterly-prompt", "coopbot_quarterly_prompt_cron", quarterly_prompt,
            "on a quarter's first working day: ask each partnership to schedule its review"),
    JobSpec("digest", "coopbot_digest_cron", digest, "the week's digest in each partnership channel"),
    JobSpec("quarter-end-digest", "coopbot_quarter_end_digest_cron", quarter_end_digest,
            "on a quarter's last working day: the quarter in review"),
    JobSpec("reminders", "coopbot_reminders_cron", reminders,
            "escalate unacknowledged problems; meeting, action item and exchange reminders"),
    JobSpec("housekeeping", "coopbot_housekeeping_cron", housekeeping,
            "delete delivered messages and handled-request records older than COOPBOT_RETENTION_DAYS"),
)}


def run_job(name: str, services: Services, now: datetime | None = None) -> int:
    """Run one job now (for the scheduler and `coopbot jobs run`). KeyError for an unknown name."""
    spec = JOBS[name]
    count = spec.run(services, now or services.clock())
    log.info("job %s: %d done", name, count)
    return count
