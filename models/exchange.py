"""Staff exchanges: a person goes to the other side for a fixed period, approved by both sides."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, str_enum, utcnow
from models.roster import Partnership, Person, Side


class Direction(enum.StrEnum):
    SCHOOL_TO_ENTERPRISE = "school_to_enterprise"  # a college teacher goes to the enterprise
    ENTERPRISE_TO_SCHOOL = "enterprise_to_school"  # an engineer or manager goes to the college

    @property
    def sending_side(self) -> Side:
        return Side.SCHOOL if self is Direction.SCHOOL_TO_ENTERPRISE else Side.ENTERPRISE

    @property
    def host_side(self) -> Side:
        return Side.ENTERPRISE if self is Direction.SCHOOL_TO_ENTERPRISE else Side.SCHOOL


class Purpose(enum.StrEnum):
    PRODUCTION_PRACTICE = "production_practice"
    TEACHING = "teaching"
    CURRICULUM = "curriculum"  # curriculum or textbook development
    TECHNICAL_RESEARCH = "technical_research"
    VISITING_PROFESSOR = "visiting_professor"
    OTHER = "other"


class ExchangeStatus(enum.StrEnum):
    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    ACTIVE = "active"
    ASSESSED = "assessed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"  # a side assessed it as Fail: it ended there, without a staff exchange certificate


class DecisionKind(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"


class Rating(enum.StrEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    PASS = "pass"  # noqa: S105 - a rating, not a password
    FAIL = "fail"


class Exchange(Base):
    __tablename__ = "exchange"
    __table_args__ = (Index("ix_exchange_partnership_status", "partnership_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)  # who goes
    requester_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction))
    host_unit: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[Purpose] = mapped_column(str_enum(Purpose))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    expected_outcomes: Mapped[str | None] = mapped_column(Text)
    confidentiality_acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ExchangeStatus] = mapped_column(str_enum(ExchangeStatus, 24), default=ExchangeStatus.PENDING)
    review_round: Mapped[int] = mapped_column(default=1)  # bumped on each resubmission after changes
    # When the current review round began (first submission or resubmission): review reminders count from it.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    letter_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    letter_pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    partnership: Mapped[Partnership] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    requester: Mapped[Person] = relationship(foreign_keys=[requester_id])
    confirmed_by: Mapped[Person | None] = relationship(foreign_keys=[confirmed_by_id])
    decisions: Mapped[list[ExchangeDecision]] = relationship(back_populates="exchange",
                                                             order_by="ExchangeDecision.id")
    assessments: Mapped[list[ExchangeAssessment]] = relationship(back_populates="exchange",
                                                                 order_by="ExchangeAssessment.id")


class ExchangeDecision(Base):
    """One side's decision in one review round (a resubmission starts a new round)."""

    __tablename__ = "exchange_decision"
    __table_args__ = (UniqueConstraint("exchange_id", "review_round", "side", name="uq_exchange_decision_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(ForeignKey("exchange.id", ondelete="CASCADE"), index=True)
    review_round: Mapped[int] = mapped_column()
    side: Mapped[Side] = mapped_column(str_enum(Side, 16))
    decider_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    decision: Mapped[DecisionKind] = mapped_column(str_enum(DecisionKind, 24))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exchange: Mapped[Exchange] = relationship(back_populates="decisions")
    decider: Mapped[Person] = relationship()


class ExchangeAssessment(Base):
    """Each side assesses the person once at the end of the exchange."""

    __tablename__ = "exchange_assessment"
    __table_args__ = (UniqueConstraint("exchange_id", "side", name="uq_exchange_assessment_side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(ForeignKey("exchange.id", ondelete="CASCADE"), index=True)
    side: Mapped[Side] = mapped_column(str_enum(Side, 16))
    assessor_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    rating: Mapped[Rating] = mapped_column(str_enum(Rating, 16))
    comments: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exchange: Mapped[Exchange] = relationship(back_populates="assessments")
    assessor: Mapped[Person] = relationship()
