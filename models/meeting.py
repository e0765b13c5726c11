"""The cooperation group's meetings, their invitees' answers, and the action items they produce."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, str_enum, utcnow
from models.roster import Partnership, Person


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class Rsvp(enum.StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    DECLINED = "declined"


class ActionItemStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class Meeting(Base):
    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_partnership_starts", "partnership_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"))
    organiser_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column()
    location: Mapped[str | None] = mapped_column(String(500))
    agenda: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MeetingStatus] = mapped_column(str_enum(MeetingStatus, 16), default=MeetingStatus.SCHEDULED)
    quarter: Mapped[str] = mapped_column(String(8))  # e.g. "2027Q1", in the partnership's timezone
    ics_uid: Mapped[str] = mapped_column(String(128), unique=True)
    ics_sequence: Mapped[int] = mapped_column(default=0)  # bumped on every reschedule or cancellation
    minutes: Mapped[str | None] = mapped_column(Text)
    minutes_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    partnership: Mapped[Partnership] = relationship()
    organiser: Mapped[Person] = relationship()
    invitees: Mapped[list[MeetingInvitee]] = relationship(back_populates="meeting", order_by="MeetingInvitee.id",
                                                          cascade="all, delete-orphan")
    action_items: Mapped[list[ActionItem]] = relationship(back_populates="meeting", order_by="ActionItem.id",
                                                          cascade="all, delete-orphan")


class MeetingInvitee(Base):
    __tablename__ = "meeting_invitee"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id", name="uq_meeting_invitee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    rsvp: Mapped[Rsvp | None] = mapped_column(str_enum(Rsvp, 16))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="invitees")
    person: Mapped[Person] = relationship()


class ActionItem(Base):
    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[ActionItemStatus] = mapped_column(str_enum(ActionItemStatus, 16), default=ActionItemStatus.OPEN)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="action_items")
    owner: Mapped[Person] = relationship()
