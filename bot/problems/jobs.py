"""The problems' part of the `reminders` job: escalate what nobody acknowledged in time (bot.problems.escalation).

Each escalation is claimed in the JobRun ledger in the transaction that writes its messages, so the
every-15-minutes job can run as often as it likes, on any replica.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import String, case, cast, exists, literal, select

from bot import audit
from bot.problems.escalation import JOB, PERIOD, overdue, subject
from bot.problems.snapshot import snapshot
from bot.storage import ledger
from models.problem import AWAITING_ACKNOWLEDGEMENT, Problem
from models.schedule import JobRun
from scheduler.spec import Reminder

if TYPE_CHECKING:
    from bot.container import Services


def escalate_unacknowledged(services: Services, now: datetime) -> int:
    """Escalate every overdue problem not escalated before. Returns how many were escalated."""
    db, default_timezone = services.db, services.problems.default_timezone
    named = literal("problem:", String()) + cast(Problem.id, String) + case(
        (Problem.reopen_count > 0, literal(":r", String()) + cast(Problem.reopen_count, String)), else_=literal(""))
    already = exists().where(JobRun.job == JOB, JobRun.period == PERIOD,
                             JobRun.partnership_id == Problem.partnership_id, JobRun.subject == named)
    with db.session() as session:
        ids = list(session.scalars(select(Problem.id).where(overdue(now), ~already).order_by(Problem.id)))
    escalated = 0
    for problem_id in ids:
        with db.transaction() as session:
            problem = session.get(Problem, problem_id, with_for_update=True)
            if problem is None or problem.status not in AWAITING_ACKNOWLEDGEMENT:
                continue  # acknowledged (or gone) since we looked
            if not ledger.claim(session, job=JOB, partnership_id=problem.partnership_id, period=PERIOD,
                                subject=subject(problem.id, problem.reopen_count)):
                continue
            view = snapshot(session, problem, default_timezone)
            services.problems.notifier.escalated(session, view, now - problem.awaiting_since)
            audit.record(session, actor="coopbot", action="problem.escalated", entity_type="problem",
                         entity_id=problem.id, after={"coordinators": list(view.coordinators)})
            escalated += 1
    return escalated


REMINDERS = (Reminder("problem-escalation", escalate_unacknowledged),)
