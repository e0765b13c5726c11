"""The placement plan's scheduled job: a period that starts short of its plan is told to its coordinators."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.plans.service import ShortfallResult
from scheduler.spec import JobName, JobReport, JobSpec, Reminder, ReportLine

if TYPE_CHECKING:
    from bot.container import Services


def shortfalls(services: Services, now: datetime) -> int:
    return sum(r.told for r in services.plans.check_shortfalls(now))


def shortfalls_by_hand(services: Services, now: datetime) -> JobReport:
    results = services.plans.check_shortfalls(now)
    return JobReport(JobName.PLAN_SHORTFALL, sum(r.told for r in results),
                     tuple(ReportLine(r.partnership, _words(r)) for r in results))


def _words(result: ShortfallResult) -> str:
    figures = f"{result.period}: placed {result.placed} of {result.planned}"
    if result.checked_on is not None:
        return f"{figures}; already checked on {result.checked_on.date()}"
    if result.told:
        return f"{figures}; told {result.told} coordinator(s) it is short"
    return f"{figures}; nobody to tell" if result.placed < result.planned else f"{figures}; not short"


JOBS = (
    JobSpec(JobName.PLAN_SHORTFALL, "coopbot_plan_check_cron", shortfalls,
            "when a plan period starts short of its plan, tell the partnership's coordinators (once)",
            shortfalls_by_hand),
)
REMINDERS: tuple[Reminder, ...] = ()
