"""Meetings and action items as plain data: what messages, calendar files, jobs and digests read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from models.meeting import ActionItem, ActionItemStatus, Meeting, MeetingStatus, Rsvp


@dataclass(frozen=True)
class InviteeSnapshot:
    slack_user_id: str
    name: str
    email: str | None
    rsvp: Rsvp | None


@dataclass(frozen=True)
class ActionItemSnapshot:
    id: int
    meeting_id: int
    meeting_title: str
    partnership_id: int
    channel_id: str
    language: str
    owner: str
    owner_name: str
    text: str
    due_date: date
    status: ActionItemStatus
    done_at: datetime | None

    @property
    def message_key(self) -> str:
        """The outbox key of the item's reply in the announcement's thread."""
        return f"action_item:{self.id}"

    @property
    def dm_key(self) -> str:
        """The outbox key of the DM that told the owner about the item."""
        return f"action_item_dm:{self.id}"


@dataclass(frozen=True)
class MeetingSnapshot:
    id: int
    partnership_id: int
    partnership_name: str
    channel_id: str
    timezone: str
    language: str
    title: str
    starts_at: datetime  # UTC
    duration_minutes: int
    location: str | None
    agenda: str | None
    status: MeetingStatus
    quarter: str  # "2027Q1"
    organiser: str
    organiser_name: str
    organiser_email: str | None
    ics_uid: str
    ics_sequence: int
    minutes: str | None
    invitees: tuple[InviteeSnapshot, ...]
    action_items: tuple[ActionItemSnapshot, ...]

    @property
    def message_key(self) -> str:
        """The outbox key of the announcement in the partnership channel."""
        return f"meeting:{self.id}"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(self.timezone))

    def answered(self, answer: Rsvp) -> tuple[str, ...]:
        """Slack ids of the invitees who gave `answer`, in invitation order."""
        return tuple(i.slack_user_id for i in self.invitees if i.rsvp == answer)


def quarter_of(moment: datetime, timezone: str) -> str:
    """The quarter a moment falls in, in a timezone, as stored: "2027Q1"."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def item_snapshot(item: ActionItem, default_timezone: str) -> ActionItemSnapshot:
    meeting = item.meeting
    return ActionItemSnapshot(
        id=item.id, meeting_id=meeting.id, meeting_title=meeting.title, partnership_id=meeting.partnership_id,
        channel_id=meeting.partnership.channel_id, language=meeting.partnership.language,
        owner=item.owner.slack_user_id, owner_name=item.owner.name, text=item.text, due_date=item.due_date,
        status=item.status, done_at=item.done_at)


def snapshot(meeting: Meeting, default_timezone: str) -> MeetingSnapshot:
    partnership = meeting.partnership
    return MeetingSnapshot(
        id=meeting.id, partnership_id=partnership.id, partnership_name=partnership.name,
        channel_id=partnership.channel_id, timezone=partnership.timezone or default_timezone,
        language=partnership.language, title=meeting.title, starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes, location=meeting.location, agenda=meeting.agenda,
        status=meeting.status, quarter=meeting.quarter, organiser=meeting.organiser.slack_user_id,
        organiser_name=meeting.organiser.name, organiser_email=meeting.organiser.email,
        ics_uid=meeting.ics_uid, ics_sequence=meeting.ics_sequence, minutes=meeting.minutes,
        invitees=tuple(InviteeSnapshot(i.person.slack_user_id, i.person.name, i.person.email, i.rsvp)
                       for i in meeting.invitees),
        action_items=tuple(item_snapshot(a, default_timezone) for a in meeting.action_items))
