"""Priority recruitment (agreement III.7): the enterprise's openings, the college's recommendations of
interns for them, and the offers and hires that follow (the intern's `outcome` carries the latest)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, str_enum, utcnow
from models.roster import Intern, Partnership, Person


class RecommendationStatus(enum.StrEnum):
    RECOMMENDED = "recommended"
    OFFERED = "offered"
    HIRED = "hired"
    DECLINED = "declined"


class Opening(Base):
    """A job the enterprise offers the partnership's interns first. `source_key` is the modal's view id,
    so a retried submission finds its own row."""

    __tablename__ = "opening"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    post: Mapped[str] = mapped_column(String(200))
    number: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    posted_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    source_key: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnership: Mapped[Partnership] = relationship()
    posted_by: Mapped[Person] = relationship()


class Recommendation(Base):
    """The college recommends one intern for one opening; the enterprise offers, hires or records a decline."""

    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("opening_id", "intern_id", name="uq_recommendation_intern"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id", ondelete="CASCADE"))
    intern_id: Mapped[int] = mapped_column(ForeignKey("intern.id", ondelete="CASCADE"), index=True)
    recommended_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    status: Mapped[RecommendationStatus] = mapped_column(str_enum(RecommendationStatus, 16))
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    opening: Mapped[Opening] = relationship()
    intern: Mapped[Intern] = relationship()
