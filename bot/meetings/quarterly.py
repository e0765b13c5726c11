"""The quarterly prompt: on the first working day of a quarter, in each partnership's own timezone, ask
the cooperation group to schedule its review — or say it already is.

Claimed in the JobRun ledger per partnership and quarter with its outbox row, so it is never posted
twice for a quarter, whatever runs the job (the scheduler, a replica, `coopbot jobs run`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.i18n.catalog import Translator, translator
from bot.quarters import Quarter, local_today, prompt_due
from bot.slack.forms import plain
from bot.slack.text import escape_within, truncate
from bot.storage import ledger
from bot.storage.db import Database
from models.base import utcnow
from models.meeting import Meeting, MeetingStatus
from models.roster import Partnership

JOB = "quarterly-prompt"
# The button's action id; the meetings workflow opens its "Schedule a meeting" modal for it. Its value
# is "<partnership id>:<quarter key>", e.g. "3:2027Q1" (which thing — never a permission).
OPEN_MEETING_ACTION = "meeting_open_from_prompt"


class QuarterlyPrompts:
    def __init__(self, db: Database, *, default_timezone: str = "UTC", holidays: Collection[date] = (),
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.default_timezone = default_timezone
        self.holidays = frozenset(holidays)
        self.clock = clock

    def post_due(self, now: datetime) -> int:
        """Prompt every partnership whose local today is its quarter's first working day (or just after,
        if that run was missed). Returns how many prompts were posted."""
        with self.db.session() as session:
            partnerships = list(session.scalars(select(Partnership).order_by(Partnership.id)))
        posted = 0
        for partnership in partnerships:
            zone = partnership.timezone or self.default_timezone
            quarter = prompt_due(local_today(now, zone), self.holidays)
            if quarter is None:
                continue
            with self.db.transaction() as session:
                if not ledger.claim(session, job=JOB, partnership_id=partnership.id, period=quarter.key):
                    continue
                scheduled = _scheduled_meeting(session, partnership.id, quarter)
                text, blocks = prompt_message(partnership.id, quarter, scheduled, zone,
                                              translator(partnership.language))
                outbox.post(session, channel=partnership.channel_id, text=text, blocks=blocks)
                posted += 1
        return posted


def _scheduled_meeting(session: Session, partnership_id: int, quarter: Quarter) -> Meeting | None:
    return session.scalar(select(Meeting).where(
        Meeting.partnership_id == partnership_id, Meeting.quarter == quarter.key,
        Meeting.status == MeetingStatus.SCHEDULED).order_by(Meeting.starts_at).limit(1))


def prompt_message(partnership_id: int, quarter: Quarter, scheduled: Meeting | None, zone: str,
                   t: Translator) -> tuple[str, list[dict[str, Any]]]:
    """The prompt (with a button opening the meeting modal), or the note that the review is scheduled."""
    _ = t.gettext
    name = t.quarter(quarter.year, quarter.number)
    if scheduled is not None:
        text = _("{quarter} has begun. The cooperation review is already scheduled: {title}, {when}.").format(
            quarter=name, title=escape_within(scheduled.title, 200), when=t.datetime(scheduled.starts_at, zone))
        return truncate(text, 300), [{"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, 3000)}}]
    text = _("{quarter} has begun: time to schedule this quarter's cooperation review.").format(quarter=name)
    return text, [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"🗓️ {text}"}},
        {"type": "actions", "block_id": f"quarterly_prompt:{quarter.key}", "elements": [
            {"type": "button", "action_id": OPEN_MEETING_ACTION, "style": "primary",
             "text": plain(_("Schedule the review")), "value": f"{partnership_id}:{quarter.key}"}]},
    ]
