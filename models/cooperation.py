"""The cooperation ledger (what the two sides do together besides interns) and each partnership's agreement."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, str_enum, utcnow
from models.roster import Partnership, Person


class EntryKind(enum.StrEnum):
    CONSULTANCY = "consultancy"  # the college's experts as the enterprise's consultants
    VISITING_PROFESSORSHIP = "visiting_professorship"
    JOINT_PROJECT = "joint_project"  # joint research, or a government project application (deadline, status)
    COURSE = "course"  # a course or textbook developed together (who owns the results)
    STAFF_TRAINING = "staff_training"  # the enterprise's staff trained by the college (people, hours)
    SHARED_FACILITY = "shared_facility"  # a shared training base or facility


class ApplicationStatus(enum.StrEnum):
    PLANNED = "planned"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class Ownership(enum.StrEnum):
    COLLEGE = "college"
    ENTERPRISE = "enterprise"
    JOINT = "joint"


class LedgerEntry(Base):
    """One thing the partnership did together, with the fields its kind needs (the others stay empty)."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_entry_partnership_created", "partnership_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"))
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, 32))
    title: Mapped[str] = mapped_column(String(200))
    people: Mapped[str | None] = mapped_column(String(500))  # who: experts, professors, trainers
    details: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)  # a project application's
    status: Mapped[ApplicationStatus | None] = mapped_column(str_enum(ApplicationStatus, 16))
    ownership: Mapped[Ownership | None] = mapped_column(str_enum(Ownership, 16))  # a course's results
    trainees: Mapped[int | None] = mapped_column()  # staff training: people trained
    hours: Mapped[int | None] = mapped_column()  # staff training: hours
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source_key: Mapped[str | None] = mapped_column(String(64), unique=True)  # the modal's view id

    partnership: Mapped[Partnership] = relationship()
    created_by: Mapped[Person] = relationship()


class Agreement(Base):
    """The cooperation agreement of a partnership: its term, its attachments (links), its renewals."""

    __tablename__ = "agreement"

    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True)
    signed_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    renewals: Mapped[int] = mapped_column(default=0, server_default="0")  # times the end date was moved on
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnership: Mapped[Partnership] = relationship()
