"""Quarters and working days in a partnership's own timezone, and schedules across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from bot.quarters import (
    Quarter,
    first_working_day,
    last_working_day,
    local_midnight,
    local_today,
    prompt_due,
    quarter_end_due,
    week_key,
)
from scheduler.cron import parse_cron


def test_quarter_keys_and_bounds() -> None:
    q = Quarter.of(date(2027, 5, 17))
    assert (q.key, q.first_day, q.last_day) == ("2027Q2", date(2027, 4, 1), date(2027, 6, 30))
    assert Quarter(2026, 4).next() == Quarter(2027, 1) and Quarter(2027, 1).previous() == Quarter(2026, 4)


@pytest.mark.parametrize(("quarter", "first"), [
    (Quarter(2027, 1), date(2027, 1, 1)),   # a Friday
    (Quarter(2027, 2), date(2027, 4, 1)),   # a Thursday
    (Quarter(2026, 4), date(2026, 10, 1)),  # a Thursday
    (Quarter(2028, 1), date(2028, 1, 3)),   # starts on Saturday 1 January: Monday
    (Quarter(2027, 3), date(2027, 7, 1)),
])
def test_first_working_day(quarter: Quarter, first: date) -> None:
    assert first_working_day(quarter) == first


def test_holidays_push_the_first_working_day_on() -> None:
    assert first_working_day(Quarter(2027, 1), {date(2027, 1, 1)}) == date(2027, 1, 4)
    assert last_working_day(Quarter(2027, 1)) == date(2027, 3, 31)  # a Wednesday
    assert last_working_day(Quarter(2027, 2)) == date(2027, 6, 30)
    assert last_working_day(Quarter(2026, 4)) == date(2026, 12, 31)


def test_prompt_is_due_on_the_first_working_day_and_only_just_after() -> None:
    assert prompt_due(date(2027, 12, 31)) is None
    assert prompt_due(date(2028, 1, 1)) is None  # Saturday
    assert prompt_due(date(2028, 1, 2)) is None  # Sunday
    assert prompt_due(date(2028, 1, 3)) == Quarter(2028, 1)  # Monday
    assert prompt_due(date(2028, 1, 9)) == Quarter(2028, 1)  # a missed run still catches up that week
    assert prompt_due(date(2028, 1, 10)) is None
    assert prompt_due(date(2027, 2, 15)) is None


def test_quarter_end_is_due_on_the_last_working_day() -> None:
    assert quarter_end_due(date(2027, 3, 30)) is None
    assert quarter_end_due(date(2027, 3, 31)) == Quarter(2027, 1)
    assert quarter_end_due(date(2027, 4, 2)) == Quarter(2027, 1)  # catch-up after downtime
    assert quarter_end_due(date(2027, 9, 30)) == Quarter(2027, 3)  # Thursday


@pytest.mark.parametrize(("instant", "zone", "today"), [
    (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "Asia/Shanghai", date(2027, 1, 1)),
    (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "UTC", date(2026, 12, 31)),
    (datetime(2027, 1, 1, 7, 59, tzinfo=UTC), "America/Los_Angeles", date(2026, 12, 31)),
    (datetime(2027, 1, 1, 8, 0, tzinfo=UTC), "America/Los_Angeles", date(2027, 1, 1)),
])
def test_the_quarter_turns_at_local_midnight(instant: datetime, zone: str, today: date) -> None:
    assert local_today(instant, zone) == today


def test_local_days_across_dst_in_los_angeles() -> None:
    zone = "America/Los_Angeles"
    def length(day: date) -> timedelta:  # in real time: subtract in UTC, not on the wall clock
        return (local_midnight(day + timedelta(days=1), zone).astimezone(UTC)
                - local_midnight(day, zone).astimezone(UTC))

    spring, autumn = length(date(2027, 3, 14)), length(date(2027, 11, 7))
    assert (spring, autumn) == (timedelta(hours=23), timedelta(hours=25))
    assert week_key(date(2027, 3, 15)) == "2027-W11"


def _fires(expression: str, zone: str, start: datetime, count: int) -> list[datetime]:
    trigger = parse_cron(expression, zone)
    fires: list[datetime] = []
    previous = None
    now = start
    for _ in range(count):
        nxt = trigger.get_next_fire_time(previous, now)
        assert nxt is not None
        fires.append(nxt)
        previous, now = nxt, nxt + timedelta(microseconds=1)
    return fires


@pytest.mark.parametrize("around", [datetime(2027, 3, 12, tzinfo=UTC), datetime(2027, 11, 5, tzinfo=UTC)])
def test_a_daily_schedule_keeps_local_time_across_dst(around: datetime) -> None:
    fires = _fires("0 9 * * *", "America/Los_Angeles", around, 5)
    local = [f.astimezone(parse_cron("0 9 * * *", "America/Los_Angeles").timezone) for f in fires]
    assert [t.hour for t in local] == [9] * 5
    assert len({t.date() for t in local}) == 5  # one run per day: none skipped, none doubled
    utc_hours = {f.astimezone(UTC).hour for f in fires}
    assert utc_hours == {16, 17}  # 09:00 PDT is 16:00 UTC, 09:00 PST is 17:00 UTC


def test_quarter_hour_reminders_run_through_the_repeated_hour_without_going_back() -> None:
    """APScheduler 3.11 alone goes back in time here and loops (agronholm/apscheduler#1021)."""
    fires = [f.astimezone(UTC) for f in
             _fires("*/15 * * * *", "America/Los_Angeles", datetime(2027, 11, 7, 7, 0, tzinfo=UTC), 16)]
    assert [b - a for a, b in pairwise(fires)] == [timedelta(minutes=15)] * 15


def test_crontab_weekday_numbers_mean_what_crontab_says() -> None:
    monday = _fires("0 9 * * 1", "UTC", datetime(2027, 1, 1, tzinfo=UTC), 1)[0]
    assert monday.date() == date(2027, 1, 4) and monday.weekday() == 0
    with pytest.raises(ValueError, match="5 fields"):
        parse_cron("0 9 * *", "UTC")


def test_working_days_skip_weekends_and_configured_holidays() -> None:
    from datetime import date

    from bot.quarters import working_days_after

    thursday = date(2027, 9, 30)
    assert working_days_after(thursday, date(2027, 10, 4)) == 2  # Fri, (Sat, Sun), Mon
    national_day = {date(2027, 10, 1)}
    assert working_days_after(thursday, date(2027, 10, 4), national_day) == 1
