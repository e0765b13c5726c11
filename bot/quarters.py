"""Quarters, working days and periods, always in a partnership's own timezone.

Pure functions: the jobs ask "which quarter is it *there*, and is today its first working day?", so a
partnership in Shanghai and one in Los Angeles are prompted on their own calendar dates.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How long after its day a missed quarterly prompt or quarter-end digest is still sent (downtime longer
# than APScheduler's grace time). Later than that it would only confuse.
CATCH_UP = timedelta(days=7)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def key(self) -> str:
        """How a quarter is stored (models.meeting.Meeting.quarter, JobRun.period): "2027Q1"."""
        return f"{self.year}Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)


def is_working_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def working_days_after(day: date, today: date, holidays: Collection[date] = ()) -> int:
    """Working days after `day`, up to and including `today` (reminders count these)."""
    return sum(1 for n in range(1, (today - day).days + 1) if is_working_day(day + timedelta(days=n), holidays))


def first_working_day(quarter: Quarter, holidays: Collection[date] = ()) -> date:
    day = quarter.first_day
    while not is_working_day(day, holidays):
        day += timedelta(days=1)
    return day


def last_working_day(quarter: Quarter, holidays: Collection[date] = ()) -> date:
    day = quarter.last_day
    while not is_working_day(day, holidays):
        day -= timedelta(days=1)
    return day


def local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def local_midnight(day: date, zone: str) -> datetime:
    """The instant a local day begins (aware), so periods are cut at the partnership's midnight."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))


def prompt_due(today: date, holidays: Collection[date] = ()) -> Quarter | None:
    """The quarter to prompt for if `today` is its first working day (or within the catch-up window)."""
    quarter = Quarter.of(today)
    start = first_working_day(quarter, holidays)
    return quarter if start <= today < start + CATCH_UP else None


def quarter_end_due(today: date, holidays: Collection[date] = ()) -> Quarter | None:
    """The quarter whose end digest is due: on its last working day, or just after if that was missed."""
    for quarter in (Quarter.of(today), Quarter.of(today).previous()):
        end = last_working_day(quarter, holidays)
        if end <= today < end + CATCH_UP:
            return quarter
    return None


def week_key(today: date) -> str:
    """The ISO week a weekly digest belongs to, e.g. "2027-W02"."""
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"
