"""Cron expressions as operators write them, turned into APScheduler triggers.

APScheduler 3 counts weekdays from Monday = 0, where crontab counts from Sunday = 0, so "0 9 * * 1"
would silently mean Tuesday. We translate numeric weekdays to names first, so the standard meaning
holds; names (mon–sun) pass through unchanged.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

_CRONTAB_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekday_names(field: str) -> str:
    """`1-5` → `mon-fri`, `0,6` → `sun,sat`; steps after `/` stay numbers."""
    def name(match: re.Match[str]) -> str:
        number = int(match.group(0))
        if number > 7:
            raise ValueError(f"weekday {number} is out of range 0-7")
        return _CRONTAB_DAYS[number]

    head, slash, step = field.partition("/")
    return re.sub(r"\d+", name, head) + slash + step


class SteadyCronTrigger(CronTrigger):
    """A CronTrigger that always moves forward in real time.

    APScheduler 3.11 steps from the previous fire time in wall-clock time; in the hour repeated when DST
    ends it can answer a time *before* the previous one (agronholm/apscheduler#1021), and the scheduler
    then loops on it. Counting from the previous fire time in UTC avoids that; the wall-clock schedule
    (09:00 local, every 15 minutes) is unchanged.
    """

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        if previous_fire_time is None:
            return super().get_next_fire_time(None, now)
        after = previous_fire_time.astimezone(UTC) + timedelta(microseconds=1)
        found = super().get_next_fire_time(None, min(now, after).astimezone(UTC))
        # Never go back. Compared in UTC: aware datetimes sharing a ZoneInfo compare by wall clock.
        while found is not None and found.astimezone(UTC) <= after:
            after += timedelta(minutes=1)
            found = super().get_next_fire_time(None, after)
        return found


def parse_cron(expression: str, timezone: str) -> CronTrigger:
    """A trigger for a five-field crontab expression (minute hour day month weekday) in `timezone`.

    Raises ValueError with the reason when the expression is not one.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"{expression!r} is not a cron expression: expected 5 fields "
                         f"(minute hour day month weekday), got {len(fields)}")
    minute, hour, day, month, weekday = fields
    try:
        return SteadyCronTrigger(minute=minute, hour=hour, day=day, month=month,
                           day_of_week=_weekday_names(weekday), timezone=timezone)
    except ValueError as exc:
        raise ValueError(f"{expression!r} is not a valid cron expression: {exc}") from exc
