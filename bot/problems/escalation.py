"""When a problem nobody acknowledged is escalated: the deadline per severity, as a SQL condition.

A report must be picked up within a time that fits its severity, and so must a reopened problem, from its
reopening. When it is not, the `reminders` job (bot.problems.jobs) tells the partnership's coordinators once
per wait (the report's, then each reopening's); App Home counts the overdue ones with the same condition.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_

from models.problem import AWAITING_ACKNOWLEDGEMENT, Problem, Severity

JOB = "problem-escalation"
PERIOD = "unacknowledged"  # one escalation per wait: the report's, then each reopening's
ACK_DEADLINES: dict[Severity, timedelta] = {
    Severity.P1: timedelta(hours=2),
    Severity.P2: timedelta(hours=24),
    Severity.P3: timedelta(days=3),
    Severity.P4: timedelta(days=3),
}


def overdue(now: datetime) -> Any:
    """SQL condition: waiting for acknowledgement longer than its severity allows — open since it was
    reported, or reopened since it was last reopened."""
    late = [and_(Problem.severity == severity, Problem.awaiting_since <= now - limit)
            for severity, limit in ACK_DEADLINES.items()]
    return and_(Problem.status.in_(AWAITING_ACKNOWLEDGEMENT), or_(*late))


def subject(problem_id: int, reopen_count: int) -> str:
    """The ledger's name for one wait: the report's ("problem:7"), or a reopening's ("problem:7:r2")."""
    return f"problem:{problem_id}" + (f":r{reopen_count}" if reopen_count else "")
