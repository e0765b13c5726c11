"""The meetings' calendar: the quarterly prompt, and the meeting parts of the `reminders` job.

Plain functions of (services, now), safe to run twice. The quarterly prompt run by hand reports per
partnership what it did (`quarterly_prompt_by_hand`).

Each piece of work (one reminder, one request for minutes) is claimed in the JobRun ledger in the
transaction that writes its outbox rows (bot.storage.ledger.claim), so a second run, another replica or a
catch-up after downtime finds it done. A rescheduled meeting has a new start, hence a new period, so
its reminders go out again for the new time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.meetings.quarterly import PromptOutcome, PromptResult
from bot.meetings.snapshot import item_snapshot, snapshot
from bot.quarters import local_today
from bot.storage.ledger import claim
from models.meeting import ActionItem, ActionItemStatus, Meeting, MeetingStatus
from scheduler.spec import JobName, JobReport, JobSpec, Reminder, ReportLine

if TYPE_CHECKING:
    from bot.container import Services

REMINDER_LEADS = (timedelta(hours=24), timedelta(hours=1))  # before a meeting starts
MINUTES_LOOKBACK = timedelta(days=30)  # a meeting older than this without minutes is not asked about any more


def _period(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ")


def send_meeting_reminders(services: Services, now: datetime) -> int:
    """Remind the announcement's thread 24 hours and 1 hour before each scheduled meeting (only the
    nearest reminder that is due, so a run after downtime does not send both). Returns how many."""
    default = services.meetings.default_timezone
    with services.db.session() as session:
        due = session.scalars(select(Meeting.id).where(
            Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > now,
            Meeting.starts_at <= now + REMINDER_LEADS[0])).all()
    sent = 0
    for meeting_id in due:
        with services.db.transaction() as session:
            meeting = session.get(Meeting, meeting_id, with_for_update=True)
            if meeting is None or meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= now:
                continue
            hours = 1 if meeting.starts_at - now <= REMINDER_LEADS[1] else 24
            if claim(session, job="meeting-reminder", partnership_id=meeting.partnership_id,
                     period=_period(meeting.starts_at), subject=f"meeting:{meeting.id}:{hours}h"):
                services.meetings.notifier.reminder(session, snapshot(meeting, default), hours)
                sent += 1
    return sent


def ask_for_minutes(services: Services, now: datetime) -> int:
    """DM each organiser whose meeting has ended, once, asking for the minutes. Returns how many."""
    default = services.meetings.default_timezone
    with services.db.session() as session:
        started = session.scalars(select(Meeting).where(
            Meeting.status == MeetingStatus.SCHEDULED, Meeting.minutes_recorded_at.is_(None),
            Meeting.starts_at <= now, Meeting.starts_at > now - MINUTES_LOOKBACK)).all()
        ended = [m.id for m in started if m.starts_at + timedelta(minutes=m.duration_minutes) <= now]
    asked = 0
    for meeting_id in ended:
        with services.db.transaction() as session:
            meeting = session.get(Meeting, meeting_id, with_for_update=True)
            if meeting is None or meeting.status != MeetingStatus.SCHEDULED or meeting.minutes_recorded_at:
                continue
            if claim(session, job="meeting-minutes-request", partnership_id=meeting.partnership_id,
                     period=_period(meeting.starts_at), subject=f"meeting:{meeting.id}"):
                services.meetings.notifier.minutes_requested(session, snapshot(meeting, default))
                asked += 1
    return asked


def send_action_item_reminders(services: Services, now: datetime) -> int:
    """Remind each owner, once, of an open action item due today or earlier in the partnership's
    timezone. Returns how many."""
    default = services.meetings.default_timezone
    with services.db.session() as session:
        items = session.scalars(select(ActionItem).where(ActionItem.status == ActionItemStatus.OPEN)).all()
        due = [i.id for i in items
               if i.due_date <= local_today(now, i.meeting.partnership.timezone or default)]
    reminded = 0
    for item_id in due:
        with services.db.transaction() as session:
            item = session.get(ActionItem, item_id, with_for_update=True)
            if item is None or item.status != ActionItemStatus.OPEN:
                continue
            if not claim(session, job="action-item-reminder", partnership_id=item.meeting.partnership_id,
                         period=item.due_date.isoformat(), subject=f"action_item:{item.id}"):
                continue
            services.meetings.notifier.item_due(session, item_snapshot(item, default))
            reminded += 1
    return reminded


def quarterly_prompt(services: Services, now: datetime) -> int:
    return services.meetings.prompt_quarters(now)


def quarterly_prompt_by_hand(services: Services, now: datetime) -> JobReport:
    """This quarter's prompt, now, to every partnership that has not had it; what happened to each."""
    results = services.meetings.prompt_quarters_by_hand(now)
    return JobReport(JobName.QUARTERLY_PROMPT, sum(r.outcome == PromptOutcome.POSTED for r in results),
                     tuple(ReportLine(r.partnership, prompt_words(r)) for r in results))


def prompt_words(result: PromptResult) -> str:
    """What the prompt did for a partnership, for the operator who ran it (or added the partnership)."""
    quarter = f"Q{result.quarter.number} {result.quarter.year}"
    meeting = result.meeting
    scheduled = (f"“{meeting.title}” on {meeting.local_start:%Y-%m-%d %H:%M} ({meeting.timezone})"
                 if meeting is not None else "")
    if result.outcome == PromptOutcome.POSTED:
        return (f"posted {quarter}'s prompt: its review is already scheduled, {scheduled}" if meeting is not None
                else f"posted {quarter}'s prompt to schedule the review")
    if result.outcome == PromptOutcome.ALREADY_POSTED:
        return f"{quarter}'s prompt already posted on {result.posted_on}"
    if result.outcome == PromptOutcome.MEETING_SCHEDULED:
        return f"meeting already scheduled: {scheduled}; no prompt needed"
    return f"not due: {quarter} began earlier"


JOBS = (JobSpec(JobName.QUARTERLY_PROMPT, "coopbot_quarterly_prompt_cron", quarterly_prompt,
                "on a quarter's first working day: ask each partnership to schedule its review",
                quarterly_prompt_by_hand),)
REMINDERS = (Reminder("meeting-reminders", send_meeting_reminders), Reminder("minutes-requests", ask_for_minutes),
             Reminder("action-item-reminders", send_action_item_reminders))
