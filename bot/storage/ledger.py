"""Claiming a piece of scheduled work in the JobRun ledger, inside the transaction that does it.

The row and the work's outbox messages commit together, so "recorded as done" and "sent" can never
disagree. A second run for the same (job, partnership, period, subject) — a replica, a retry, a
catch-up after downtime — finds the row (or hits the unique constraint) and does nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.schedule import JobRun


def claim(session: Session, *, job: str, partnership_id: int, period: str, subject: str = "") -> bool:
    """Record the work as done in this transaction; False if it was already done (then do nothing)."""
    subject = subject[:64]
    done = session.scalar(select(JobRun.id).where(
        JobRun.job == job, JobRun.partnership_id == partnership_id, JobRun.period == period,
        JobRun.subject == subject))
    if done is not None:
        return False
    try:
        # A savepoint, so losing the race to another replica leaves this transaction usable.
        with session.begin_nested():
            session.add(JobRun(job=job, partnership_id=partnership_id, period=period, subject=subject))
    except IntegrityError:
        return False
    return True
