"""The roster: partnerships, the people in them (with their roles) and the interns they supervise."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    event,
    false,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from models.base import Base, UTCDateTime, str_enum, utcnow


class Side(enum.StrEnum):
    SCHOOL = "school"
    ENTERPRISE = "enterprise"


class Role(enum.StrEnum):
    TEACHER = "teacher"
    MENTOR = "mentor"
    COORDINATOR = "coordinator"
    MEMBER = "member"


class College(Base):
    """A vocational college: the school side of its partnerships, overseen by its deans."""

    __tablename__ = "college"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Enterprise(Base):
    """A company: the enterprise side of its partnerships."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CollegeDean(Base):
    """A dean: a college-level role. A dean reads every partnership of the college and acts in none
    (a dean who also coordinates a partnership acts there as its coordinator, through a membership)."""

    __tablename__ = "college_dean"
    __table_args__ = (UniqueConstraint("college_id", "person_id", name="uq_college_dean"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("college.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    college: Mapped[College] = relationship()
    person: Mapped[Person] = relationship()


class Outcome(enum.StrEnum):
    """Where an intern's recruitment by the enterprise stands (agreement III.7)."""

    OFFERED = "offered"
    HIRED = "hired"
    DECLINED = "declined"


class Partnership(Base):
    """One cooperation agreement between a college and an enterprise, with its Slack channel."""

    __tablename__ = "partnership"
    # One partnership per channel: commands and events in a channel act on its partnership.
    __table_args__ = (Index("ux_partnership_channel_id", "channel_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # `school` and `enterprise` are the names as typed (CLI, CSV, messages); the records they name are
    # `college_record` and `enterprise_record`, found or created by name when the partnership is added.
    school: Mapped[str] = mapped_column(String(200))
    enterprise: Mapped[str] = mapped_column(String(200))
    college_id: Mapped[int] = mapped_column(ForeignKey("college.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    # The school-side channel (private, college people only): where school-side reports go
    # (docs/decisions/0009-who-sees-what.md). None: they go by DM to the intern's teacher and the college's
    # coordinators.
    school_channel_id: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16), default="en")
    # OAuth mode: the Slack workspace (team id, or the enterprise id of an org-wide install) whose installation
    # hosts the partnership's channel; what coopbot sends for the partnership goes through its token
    # (bot.installs.routing). Unset in single-token mode, and until a coordinator links it.
    install_team_id: Mapped[str | None] = mapped_column(String(32))
    # OAuth mode: the enterprise's workspace, once its coordinator accepted the link the college's coordinator
    # offered (`partner_invited_at`). A request through an installation that is neither this nor the host's
    # never sees the partnership (bot.installs.tenancy, docs/decisions/0012).
    partner_team_id: Mapped[str | None] = mapped_column(String(32))
    partner_invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Each side's language, for people of that side who chose none and whose Slack gives none (people of
    # another Slack organization: users.info returns them no locale). None: the partnership's language.
    school_language: Mapped[str | None] = mapped_column(String(16))
    enterprise_language: Mapped[str | None] = mapped_column(String(16))
    # What the channel's coopbot panel last said (a digest of its text and blocks): a change of labels or
    # language is posted over it (bot.panel.service.refresh_changed_panels)
    panel_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="partnership")
    college_record: Mapped[College] = relationship()
    enterprise_record: Mapped[Enterprise] = relationship()


def _record_id(connection: Connection, model: type[College] | type[Enterprise], name: str) -> int:
    found = connection.scalar(select(model.id).where(model.name == name))
    if found is None:
        found = connection.scalar(insert(model).values(name=name, created_at=utcnow()).returning(model.id))
    assert found is not None
    return found


@event.listens_for(Partnership, "before_insert")
def _link_college_and_enterprise(mapper: Mapper[Partnership], connection: Connection, target: Partnership) -> None:
    """Every partnership belongs to the college and the enterprise its names name, found or created by
    exact name, however it is created (`coopbot partnership add`, the sandbox's seed, a test's fixture)."""
    if target.college_id is None:
        target.college_id = _record_id(connection, College, target.school)
    if target.enterprise_id is None:
        target.enterprise_id = _record_id(connection, Enterprise, target.enterprise)

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
    # The placement plan line this intern fills (bot/plans), if any.
    plan_line_id: Mapped[int | None] = mapped_column(ForeignKey("plan_line.id", ondelete="SET NULL"), index=True)
    # The recruitment outcome (bot/recruitment): offered, hired or declined; None until an offer.
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnership: Mapped[Partnership] = relationship()
    teacher: Mapped[Person] = relationship(foreign_keys=[teacher_id])
    mentor: Mapped[Person] = relationship(foreign_keys=[mentor_id])

    @classmethod
    def matching(cls, words: str) -> ColumnElement[bool]:
        """Name or student id contains `words`, whatever the case; `%`, `_` and `\\` in them match themselves
        (what the intern pickers search by)."""
        return or_(cls.name.icontains(words, autoescape=True), cls.student_id.icontains(words, autoescape=True))
