"""Intern problem reports and their timelines."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ColumnElement, Date, ForeignKey, Index, String, Text, case, false
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, str_enum, utcnow
from models.roster import Intern, Partnership, Person


class ProblemStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    REOPENED = "reopened"


class Severity(enum.StrEnum):
    P1 = "p1"
    P2 = "p2"
    P3 = "p3"
    P4 = "p4"


class Category(enum.StrEnum):
    SAFETY = "safety"
    DANGEROUS_POST = "dangerous_post"
    HOURS = "hours"
    PAY = "pay"
    FEES_DOCUMENTS = "fees_documents"
    INSURANCE = "insurance"
    LIVING = "living"
    HEALTH = "health"
    TRAFFIC = "traffic"
    SKILLS_MISMATCH = "skills_mismatch"
    MENTORING = "mentoring"
    CONDUCT = "conduct"
    OTHER = "other"


SAFETY_CATEGORIES = frozenset({Category.SAFETY, Category.DANGEROUS_POST, Category.HEALTH, Category.TRAFFIC})
# Reported by a college person, these are school-side only whatever the reporter ticks: a student's health
# and mental health are not the enterprise's to read (docs/decisions/0009-who-sees-what.md).
SCHOOL_SIDE_CATEGORIES = frozenset({Category.HEALTH})


class EventKind(enum.StrEnum):
    REPORTED = "reported"
    ACKNOWLEDGED = "acknowledged"
    UPDATE = "update"
    RESOLVED = "resolved"
    REOPENED = "reopened"


# Reported or reopened, and nobody has taken it on yet.
AWAITING_ACKNOWLEDGEMENT = (ProblemStatus.OPEN, ProblemStatus.REOPENED)


class Problem(Base):
    """A problem a teacher, mentor or coordinator logged about an intern."""

    __tablename__ = "problem"
    __table_args__ = (Index("ix_problem_partnership_status", "partnership_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"))
    intern_id: Mapped[int] = mapped_column(ForeignKey("intern.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)  # "my problems" on the App Home
    category: Mapped[Category] = mapped_column(str_enum(Category))
    severity: Mapped[Severity] = mapped_column(str_enum(Severity, 8))
    description: Mapped[str] = mapped_column(Text)
    occurred_on: Mapped[date] = mapped_column(Date)
    actions_taken: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ProblemStatus] = mapped_column(str_enum(ProblemStatus, 16), default=ProblemStatus.OPEN)
    resolution: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # A reopened problem waits for acknowledgement again, from when it was last reopened, and may be
    # escalated again, once per reopening (bot.problems.escalation).
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # School-side only: never shown to, sent to or acted on by enterprise people (bot.problems.privacy).
    school_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The Slack view id of the submission that created it: a retried submission finds it again.
    source_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    partnership: Mapped[Partnership] = relationship()
    intern: Mapped[Intern] = relationship()
    reporter: Mapped[Person] = relationship(foreign_keys=[reporter_id])
    acknowledged_by: Mapped[Person | None] = relationship(foreign_keys=[acknowledged_by_id])
    resolved_by: Mapped[Person | None] = relationship(foreign_keys=[resolved_by_id])
    events: Mapped[list[ProblemEvent]] = relationship(
        back_populates="problem", order_by="ProblemEvent.id", cascade="all, delete-orphan"
    )

    @hybrid_property
    def awaiting_since(self) -> datetime:
        """Since when it has waited for acknowledgement: its report, or its last reopening (in Python and,
        as the same rule, in SQL: bot.problems.escalation)."""
        if self.status == ProblemStatus.REOPENED and self.reopened_at is not None:
            return self.reopened_at
        return self.created_at

    @awaiting_since.inplace.expression
    @classmethod
    def _awaiting_since_sql(cls) -> ColumnElement[datetime]:
        return case((cls.status == ProblemStatus.REOPENED, cls.reopened_at), else_=cls.created_at)


class ProblemEvent(Base):
    """One entry of a problem's timeline: reported, acknowledged, an update, resolved, reopened."""

    __tablename__ = "problem_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, 16))
    actor_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    problem: Mapped[Problem] = relationship(back_populates="events")
    actor: Mapped[Person] = relationship()
