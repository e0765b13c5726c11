"""CSV export of meetings (`coopbot export meetings`): one row per meeting, with its answers,
minutes and action items, for the cooperation's annual report."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.db import Database
from bot.problems.export import guard_formula
from models.meeting import ActionItem, Meeting, MeetingInvitee, Rsvp

HEADER = (
    "id", "partnership", "title", "status", "starts_at", "timezone", "local_start", "duration_minutes",
    "location", "organiser", "invitees", "going", "maybe", "declined", "no_answer", "agenda", "minutes",
    "action_items", "open_action_items",
)
_BATCH = 200


def _cell(value: Any) -> str | int:
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return guard_formula(str(value))


def _item_line(item: ActionItem) -> str:
    return f"{item.owner.name}: {item.text} (due {item.due_date.isoformat()}, {item.status.value})"


def write_meetings_csv(db: Database, out: TextIO, *, default_timezone: str = "UTC") -> int:
    """Write every meeting as CSV, ordered by id; `status` is scheduled, held or cancelled (never
    translated). Returns data rows written."""
    query = (select(Meeting).order_by(Meeting.id)
             .options(selectinload(Meeting.partnership), selectinload(Meeting.organiser),
                      selectinload(Meeting.invitees).selectinload(MeetingInvitee.person),
                      selectinload(Meeting.action_items).selectinload(ActionItem.owner))
             .execution_options(yield_per=_BATCH))
    writer = csv.writer(out)
    writer.writerow(HEADER)
    written = 0
    with db.session() as session:
        for meeting in session.scalars(query):
            zone = meeting.partnership.timezone or default_timezone
            answers = [i.rsvp for i in meeting.invitees]
            items = meeting.action_items
            writer.writerow([
                meeting.id, _cell(meeting.partnership.name), _cell(meeting.title), meeting.status.value,
                _cell(meeting.starts_at), zone,
                meeting.starts_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M"),
                meeting.duration_minutes, _cell(meeting.location), _cell(meeting.organiser.name),
                _cell("; ".join(i.person.name for i in meeting.invitees)),
                answers.count(Rsvp.GOING), answers.count(Rsvp.MAYBE), answers.count(Rsvp.DECLINED),
                answers.count(None), _cell(meeting.agenda), _cell(meeting.minutes),
                _cell("\n".join(_item_line(i) for i in items)),
                sum(1 for i in items if i.status.value == "open"),
            ])
            written += 1
    return written
