"""The cooperation calendar's jobs, collected from the workflows that declare them.

Each workflow's `jobs.py` exports `JOBS` (scheduled jobs it owns) and `REMINDERS` (its parts of the
every-15-minutes `reminders` job); this module puts them together and runs one by name. Every job is safe to
run twice for the same period (the work is claimed in the JobRun ledger), so the scheduler, another replica
and `coopbot jobs run` never double-post. Which partnership is due is decided inside, in its own timezone.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.container import Services
from bot.cooperation import jobs as cooperation
from bot.digests import jobs as digests
from bot.exchanges import jobs as exchanges
from bot.internships import jobs as internships
from bot.meetings import jobs as meetings
from bot.panel import jobs as panel
from bot.plans import jobs as plans
from bot.problems import jobs as problems
from bot.reviews import jobs as reviews
from bot.storage import jobs as storage
from scheduler.spec import JobName, JobReport, JobSpec, Reminder, ReportLine

log = logging.getLogger(__name__)

# Problems first: a broken meeting reminder must not keep a P1 problem from reaching the coordinators.
REMINDERS: tuple[Reminder, ...] = (*problems.REMINDERS, *meetings.REMINDERS, *exchanges.REMINDERS,
                                   *internships.REMINDERS, *reviews.REMINDERS,
                                   *cooperation.REMINDERS, *panel.REMINDERS)


def reminders(services: Services, now: datetime) -> int:
    """Every workflow's reminders and escalations. One part failing is logged and does not stop the others."""
    return reminders_by_hand(services, now).done


def reminders_by_hand(services: Services, now: datetime) -> JobReport:
    """`reminders`, saying how many each part sent (or that it failed)."""
    total, lines = 0, []
    for part in REMINDERS:
        try:
            count = int(part.run(services, now) or 0)
        except Exception:
            log.exception("reminders: %s failed; the other reminders still ran", part.name)
            lines.append(ReportLine(None, f"{part.name}: failed (see the log)"))
            continue
        total += count
        lines.append(ReportLine(None, f"{part.name}: {count}"))
    return JobReport(JobName.REMINDERS, total, tuple(lines))


_DECLARED: tuple[JobSpec, ...] = (
    *meetings.JOBS, *digests.JOBS, *plans.JOBS, *storage.JOBS,
    JobSpec(JobName.REMINDERS, "coopbot_reminders_cron", reminders,
            "escalate unacknowledged problems; meeting, action item and exchange reminders", reminders_by_hand),
)
# In JobName's order (`coopbot jobs list`); a name declared twice or not at all fails at import.
JOBS: dict[str, JobSpec] = {name.value: next(spec for spec in _DECLARED if spec.name == name) for name in JobName}
if len(_DECLARED) != len(JOBS):
    raise RuntimeError("a scheduled job is declared twice")


def run_job(name: str, services: Services, now: datetime | None = None) -> int:
    """Run one job as the scheduler does when it is due. KeyError for an unknown name."""
    spec = JOBS[name]
    count = spec.run(services, now or services.clock())
    log.info("job %s: %d done", name, count)
    return count


def run_by_hand(name: str, services: Services, now: datetime | None = None) -> JobReport:
    """Run one job by hand (`coopbot jobs run`, the sandbox's button): now, as if it were due now, once per
    partnership and period still; the report says per partnership what it did. KeyError for an unknown name."""
    spec = JOBS[name]
    moment = now or services.clock()
    report = (spec.by_hand(services, moment) if spec.by_hand is not None
              else JobReport(spec.name, spec.run(services, moment)))
    log.info("job %s run by hand: %d done", name, report.done)
    return report
