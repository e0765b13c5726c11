"""Escalating problems nobody acknowledged in time to the partnership's coordinators.

A report must be picked up within a time that fits its severity, and so must a reopened problem, from its
reopening. When it is not, each coordinator gets a DM and the report's thread gets one note naming them —
once per wait (the report's, then each reopening's), recorded in the JobRun ledger in the same transaction,
so the every-15-minutes `reminders` job can run as often as it likes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, exists, literal, or_, select
from sqlalchemy.orm import Session

from bot import audit
from bot.delivery import outbox
from bot.i18n.catalog import Translator, translator
from bot.i18n.language import language_in
from bot.problems.labels import SEVERITY_LABELS
from bot.problems.messages import intern_label
from bot.problems.snapshot import ProblemSnapshot, snapshot
from bot.slack.text import escape, mention
from bot.storage import ledger
from bot.storage.db import Database
from models.problem import AWAITING_ACKNOWLEDGEMENT, Problem, Severity
from models.schedule import JobRun

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


def _subject(problem_id: int, reopen_count: int) -> str:
    """The ledger's name for one wait: the report's ("problem:7"), or a reopening's ("problem:7:r2")."""
    return f"problem:{problem_id}" + (f":r{reopen_count}" if reopen_count else "")


def escalate_unacknowledged(db: Database, now: datetime, default_timezone: str = "UTC") -> int:
    """Escalate every overdue problem not escalated before. Returns how many were escalated."""
    subject = literal("problem:", String()) + cast(Problem.id, String) + case(
        (Problem.reopen_count > 0, literal(":r", String()) + cast(Problem.reopen_count, String)), else_=literal(""))
    already = exists().where(JobRun.job == JOB, JobRun.period == PERIOD,
                             JobRun.partnership_id == Problem.partnership_id, JobRun.subject == subject)
    with db.session() as session:
        ids = list(session.scalars(select(Problem.id).where(overdue(now), ~already).order_by(Problem.id)))
    escalated = 0
    for problem_id in ids:
        with db.transaction() as session:
            problem = session.get(Problem, problem_id, with_for_update=True)
            if problem is None or problem.status not in AWAITING_ACKNOWLEDGEMENT:
                continue  # acknowledged (or gone) since we looked
            if not ledger.claim(session, job=JOB, partnership_id=problem.partnership_id, period=PERIOD,
                                subject=_subject(problem.id, problem.reopen_count)):
                continue
            view = snapshot(session, problem, default_timezone)
            _notify(session, view, now - problem.awaiting_since)
            audit.record(session, actor="coopbot", action="problem.escalated", entity_type="problem",
                         entity_id=problem.id, after={"coordinators": list(view.coordinators)})
            escalated += 1
    return escalated


def _notify(session: Session, p: ProblemSnapshot, waited: timedelta) -> None:
    note = thread_note(p, waited, translator(p.language))
    outbox.post(session, channel=p.channel_id, text=note, blocks=[_section(note)], thread_key=p.message_key)
    for user in p.coordinators:
        text = coordinator_dm(p, waited, translator(language_in(session, None, user, p.language)))
        outbox.post(session, channel=user, text=text, blocks=[_section(text)])


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _waited(waited: timedelta, t: Translator) -> str:
    hours = int(waited.total_seconds() // 3600)
    if hours < 48:
        return t.ngettext("{count} hour", "{count} hours", hours).format(count=hours)
    days = hours // 24
    return t.ngettext("{count} day", "{count} days", days).format(count=days)


def thread_note(p: ProblemSnapshot, waited: timedelta, t: Translator) -> str:
    """In the report's thread: nobody has acknowledged it; the coordinators are now asked to."""
    who = " ".join(mention(u) for u in p.coordinators) or t.gettext("the coordinators")
    return t.gettext("⏰ Not acknowledged after {waited}. Escalated to {people}: please make sure someone "
                     "takes this on.").format(waited=_waited(waited, t), people=who)


def coordinator_dm(p: ProblemSnapshot, waited: timedelta, t: Translator) -> str:
    """To each coordinator: which report, how severe, how long it has waited, where it is."""
    return t.gettext("⏰ A {severity} report about {intern} in <#{channel}> has not been acknowledged after "
                     "{waited}. Please make sure the intern's teacher or mentor takes it on, or acknowledge "
                     "it yourself.").format(severity=t.gettext(SEVERITY_LABELS[p.severity]),
                                           intern=escape(intern_label(p)), channel=p.channel_id,
                                           waited=_waited(waited, t))
