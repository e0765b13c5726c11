"""Meetings as export rows (`coopbot export meetings`): one row per meeting, with its answers,
minutes and action items, for the cooperation's annual report."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.exports.cells import Row, WallClock
from bot.storage.db import Database
from models.meeting import ActionItem, Meeting, MeetingInvitee, Rsvp

HEADER = (
    "id", "partnership", "title", "status", "starts_at", "timezone", "local_start", "duration_minutes",
    "location", "organiser", "invitees", "going", "maybe", "declined", "no_answer", "agenda", "minutes",
    "action_items", "open_action_items",
)
MOMENTS = frozenset(("starts_at", "local_start"))  # the same moment: in CSV, in UTC and on the wall clock
_BATCH = 200


def _item_line(item: ActionItem) -> str:
    return f"{item.owner.name}: {item.text} (due {item.due_date.isoformat()}, {item.status.value})"


def iter_meeting_rows(db: Database, *, default_timezone: str = "UTC") -> Iterator[Row]:
    """Every meeting, ordered by id, fetched in batches (a server-side cursor on PostgreSQL);
    `status` is scheduled, held or cancelled (never translated). `starts_at` and `local_start` are the
    same moment on the partnership's clock: CSV writes the first in UTC, the second as its wall-clock
    time (`bot.exports.cells`)."""
    query = (select(Meeting).order_by(Meeting.id)
             .options(selectinload(Meeting.partnership), selectinload(Meeting.organiser),
                      selectinload(Meeting.invitees).selectinload(MeetingInvitee.person),
                      selectinload(Meeting.action_items).selectinload(ActionItem.owner))
             .execution_options(yield_per=_BATCH))
    with db.session() as session:
        for meeting in session.scalars(query):
            zone = meeting.partnership.timezone or default_timezone
            starts = meeting.starts_at.astimezone(ZoneInfo(zone))
            answers = [i.rsvp for i in meeting.invitees]
            items = meeting.action_items
            yield [
                meeting.id, meeting.partnership.name, meeting.title, meeting.status.value, starts, zone,
                WallClock.combine(starts.date(), starts.timetz()), meeting.duration_minutes, meeting.location,
                meeting.organiser.name, "; ".join(i.person.name for i in meeting.invitees) or None,
                answers.count(Rsvp.GOING), answers.count(Rsvp.MAYBE), answers.count(Rsvp.DECLINED),
                answers.count(None), meeting.agenda, meeting.minutes,
                "\n".join(_item_line(i) for i in items) or None,
                sum(1 for i in items if i.status.value == "open"),
            ]
