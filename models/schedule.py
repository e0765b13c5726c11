"""The ledger of scheduled work done: one row per job, partnership, period and subject.

A job inserts its row in the same transaction as its messages; the unique constraint makes a second
run for the same period (another replica, a retry, a catch-up after downtime) find it and stop.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class JobRun(Base):
    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "partnership_id", "period", "subject", name="uq_job_run_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))  # e.g. "quarterly-prompt", "problem-escalation"
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(32))  # e.g. "2027Q1", "2026-W48", "2026-11-26"
    subject: Mapped[str] = mapped_column(String(64), default="")  # e.g. "problem:12", "meeting:3:24h"
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
