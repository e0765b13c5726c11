"""The roster: partnerships, the people in them (with their roles) and the interns they supervise."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, ColumnElement, Date, ForeignKey, Index, String, UniqueConstraint, false, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, str_enum, utcnow


class Side(enum.StrEnum):
    SCHOOL = "school"
    ENTERPRISE = "enterprise"


class Role(enum.StrEnum):
    TEACHER = "teacher"
    MENTOR = "mentor"
    COORDINATOR = "coordinator"
    MEMBER = "member"


class Partnership(Base):
    """One cooperation agreement between a college and an enterprise, with its Slack channel."""

    __tablename__ = "partnership"
    # One partnership per channel: commands and events in a channel act on its partnership.
    __table_args__ = (Index("ux_partnership_channel_id", "channel_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    school: Mapped[str] = mapped_column(String(200))
    enterprise: Mapped[str] = mapped_column(String(200))
    channel_id: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16), default="en")
    # Each side's language, for people of that side who chose none and whose Slack gives none (people of
    # another Slack organization: users.info returns them no locale). None: the partnership's language.
    school_language: Mapped[str | None] = mapped_column(String(16))
    enterprise_language: Mapped[str | None] = mapped_column(String(16))
    # What the channel's coopbot panel last said (a digest of its text and blocks): a change of labels or
    # language is posted over it (bot.panel.service.refresh_changed_panels)
    panel_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="partnership")

    def side_language(self, side: Side) -> str:
        """The language of the channel's people of `side` (theirs if set, else the partnership's)."""
        own = self.school_language if side == Side.SCHOOL else self.enterprise_language
        return own or self.language


class Person(Base):
    """A Slack user on some partnership's roster. Side is fixed per person (college or enterprise)."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    side: Mapped[Side] = mapped_column(str_enum(Side, 16))
    locale: Mapped[str | None] = mapped_column(String(16))
    # The person's Slack organization, as Slack last told us (a payload's user.team_id, users.info): None
    # until then. External: another organization than the one coopbot is installed in (Slack Connect);
    # guest: a single- or multi-channel guest of it. Neither can run slash commands, so they use the panel.
    slack_team_id: Mapped[str | None] = mapped_column(String(32))
    slack_enterprise_id: Mapped[str | None] = mapped_column(String(32))
    is_external: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_guest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="person")


class Membership(Base):
    """One role a person holds in one partnership (a person may hold several)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("person_id", "partnership_id", "role", name="uq_membership_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, 16))

    person: Mapped[Person] = relationship(back_populates="memberships")
    partnership: Mapped[Partnership] = relationship(back_populates="memberships")


class Intern(Base):
    """A student placed with the enterprise, supervised by a college teacher and an enterprise mentor."""

    __tablename__ = "intern"
    __table_args__ = (Index("ix_intern_partnership_name", "partnership_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    position: Mapped[str] = mapped_column(String(200))
    # Optional: decides whether guardian consent is required (under 18 on the start date).
    birth_date: Mapped[date | None] = mapped_column(Date)
    # Set when a coordinator ends the internship early (end_date is then the actual last day).
    end_reason: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnership: Mapped[Partnership] = relationship()
    teacher: Mapped[Person] = relationship(foreign_keys=[teacher_id])
    mentor: Mapped[Person] = relationship(foreign_keys=[mentor_id])

    @classmethod
    def matching(cls, words: str) -> ColumnElement[bool]:
        """Name or student id contains `words`, whatever the case; `%`, `_` and `\\` in them match themselves
        (what the intern pickers search by)."""
        return or_(cls.name.icontains(words, autoescape=True), cls.student_id.icontains(words, autoescape=True))
