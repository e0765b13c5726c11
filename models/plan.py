"""The placement plan (agreement III.2, II.1): per partnership and period, how many interns of which
major for which post, and the interns that fill each line (`Intern.plan_line_id`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.roster import Partnership


class Plan(Base):
    """One period of a partnership's plan, e.g. "2027 spring", from its start date to its end date."""

    __tablename__ = "placement_plan"
    __table_args__ = (UniqueConstraint("partnership_id", "period", name="uq_placement_plan_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnership: Mapped[Partnership] = relationship()
    lines: Mapped[list[PlanLine]] = relationship(back_populates="plan", order_by="PlanLine.id")


class PlanLine(Base):
    """Planned interns of one major for one post in one period; `ref` is how the interns file names it
    (unique in the partnership). `order_class` names the 订单班 when the line is one."""

    __tablename__ = "plan_line"
    __table_args__ = (UniqueConstraint("partnership_id", "ref", name="uq_plan_line_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("placement_plan.id", ondelete="CASCADE"), index=True)
    # Copied from the plan so `ref` is unique per partnership across periods.
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(64))
    major: Mapped[str] = mapped_column(String(200))
    post: Mapped[str] = mapped_column(String(200))
    planned: Mapped[int] = mapped_column(Integer)
    order_class: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="lines")
