"""Claiming a piece of scheduled work in the JobRun ledger, inside the transaction that does it.

The row and the work's outbox messages commit together, so "recorded as done" and "sent" can never
disagree. A second run for the same (job, partnership, period, subject) — a replica, a retry, a
catch-up after downtime — finds the row (or hits the unique constraint) and does nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.base import utcnow
from models.schedule import JobRun


def claim(session: Session, *, job: str, partnership_id: int, period: str, subject: str = "",
          at: datetime | None = None) -> bool:
    """Record the work as done in this transaction (`at`: when the job ran, by its own clock); False if it
    was already done (then do nothing)."""
    subject = subject[:64]
    if done_at(session, job=job, partnership_id=partnership_id, period=period, subject=subject) is not None:
        return False
    try:
        # A savepoint, so losing the race to another replica leaves this transaction usable.
        with session.begin_nested():
            session.add(JobRun(job=job, partnership_id=partnership_id, period=period, subject=subject,
                               ran_at=at or utcnow()))
    except IntegrityError:
        return False
    return True


def done_at(session: Session, *, job: str, partnership_id: int, period: str, subject: str = "") -> datetime | None:
    """When the work was done, if it was (what a job run by hand reports: "already posted on …")."""
    return session.scalar(select(JobRun.ran_at).where(
        JobRun.job == job, JobRun.partnership_id == partnership_id, JobRun.period == period,
        JobRun.subject == subject[:64]))
