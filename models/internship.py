"""The end of an internship: the mentor's evaluation of the intern, one per intern."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, str_enum, utcnow
from models.roster import Intern, Person


class Grade(enum.StrEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    PASS = "pass"  # noqa: S105 - a grade, not a password
    FAIL = "fail"


class InternshipEvaluation(Base):
    """What the mentor (or an enterprise coordinator) recorded when the internship ended.

    `intern_id` is unique: an intern is evaluated once, whoever submits first. `source_key` (the
    modal's view id) is unique too, so a retried submission finds its own row.
    """

    __tablename__ = "internship_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    intern_id: Mapped[int] = mapped_column(ForeignKey("intern.id", ondelete="CASCADE"), unique=True)
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    attendance: Mapped[Grade] = mapped_column(str_enum(Grade, 16))
    professional_skills: Mapped[Grade] = mapped_column(str_enum(Grade, 16))
    attitude: Mapped[Grade] = mapped_column(str_enum(Grade, 16))
    safety_awareness: Mapped[Grade] = mapped_column(str_enum(Grade, 16))
    teamwork: Mapped[Grade] = mapped_column(str_enum(Grade, 16))
    comments: Mapped[str | None] = mapped_column(Text)
    certificate_issued: Mapped[bool] = mapped_column(Boolean)  # the evaluator confirmed it; required
    source_key: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    intern: Mapped[Intern] = relationship()
    evaluator: Mapped[Person] = relationship()


class EvaluationRequestItem(Base):
    """One intern listed in one DM asking a mentor for evaluations (a request or a reminder).

    A mentor whose cohort ends together is asked in one DM listing their interns, not one DM each.
    When an evaluation comes in, every DM that listed the intern is found here and redrawn from these
    rows: the evaluated intern loses their button, the others keep theirs.
    """

    __tablename__ = "evaluation_request_item"
    __table_args__ = (UniqueConstraint("message_key", "intern_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_key: Mapped[str] = mapped_column(String(128))  # the DM's outbox key (chat.update finds it by it)
    recipient: Mapped[str] = mapped_column(String(32))  # the Slack user id the DM went to
    intern_id: Mapped[int] = mapped_column(ForeignKey("intern.id", ondelete="CASCADE"), index=True)
    reminder: Mapped[int] = mapped_column(Integer)  # 0 for the first request, n for the n-th reminder
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    intern: Mapped[Intern] = relationship()
