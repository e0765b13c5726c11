"""The digests' scheduled jobs: the week's digest, and the quarter in review on a quarter's last working day.

Run by hand, each reports per partnership what it did: posted (and the days it covers), or already posted
on a date in this period.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.digests.service import DigestResult
from scheduler.spec import JobName, JobReport, JobSpec, ReportLine

if TYPE_CHECKING:
    from bot.container import Services


def weekly(services: Services, now: datetime) -> int:
    """The week's digest in each partnership's channel, then each dean's college digest by DM."""
    posted = services.digests.post_weekly(now)
    return posted + sum(r.posted for r in services.digests.post_college_digests(now))


def weekly_by_hand(services: Services, now: datetime) -> JobReport:
    report = _report(JobName.DIGEST, services.digests.weekly_by_hand(now), services)
    deans = services.digests.post_college_digests(now)
    lines = tuple(ReportLine(None, f"{r.college}: {'sent' if r.posted else 'already sent'} the college digest of "
                                   f"week {r.period} to {r.dean}") for r in deans)
    return JobReport(report.job, report.done + sum(r.posted for r in deans), report.lines + lines)


def quarter_end(services: Services, now: datetime) -> int:
    return services.digests.post_quarter_end(now)


def quarter_end_by_hand(services: Services, now: datetime) -> JobReport:
    return _report(JobName.QUARTER_END_DIGEST, services.digests.quarter_end_by_hand(now), services)


def _report(job: JobName, results: list[DigestResult], services: Services) -> JobReport:
    holidays = services.digests.holidays
    return JobReport(job, sum(r.posted for r in results),
                     tuple(ReportLine(r.partnership, digest_words(r, holidays)) for r in results))


def digest_words(result: DigestResult, holidays: Collection[date] = ()) -> str:
    """What a digest did for a partnership, for the operator who ran it."""
    zone = ZoneInfo(result.timezone)
    first = result.window.since.astimezone(zone).date()
    last = (result.window.until - timedelta(microseconds=1)).astimezone(zone).date()
    covers = f"{first} – {last}"
    if result.quarter is not None:
        what = f"Q{result.quarter.number} {result.quarter.year} in review"
    else:
        what = f"the digest of week {result.period}"
    if result.posted:
        return f"posted {what} ({covers})"
    return f"{what} already posted on {result.posted_on}"


JOBS = (
    JobSpec(JobName.DIGEST, "coopbot_digest_cron", weekly, "the week's digest in each partnership channel",
            weekly_by_hand),
    JobSpec(JobName.QUARTER_END_DIGEST, "coopbot_quarter_end_digest_cron", quarter_end,
            "on a quarter's last working day: the quarter in review", quarter_end_by_hand),
)
