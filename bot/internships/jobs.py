"""The end-of-internship part of the `reminders` job: a plain function of (services, now), safe to
run twice.

The day after an intern's end date (in the partnership's timezone) the mentor is asked, by DM, for
the evaluation; every 3 working days after that, until it is in, they are reminded. A mentor's interns
of one partnership that are due the same day share one DM. Each request
and each reminder is claimed in the JobRun ledger (bot.storage.ledger.claim) in the transaction that writes
its DM, so another replica, a retry or `coopbot jobs run reminders` sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.internships.service import EVALUATION_LOOKBACK, InternshipService
from bot.internships.snapshot import InternSnapshot, intern_snapshot
from bot.quarters import working_days_after
from bot.storage.ledger import claim
from models.internship import InternshipEvaluation
from models.roster import Intern
from scheduler.spec import Reminder

if TYPE_CHECKING:
    from bot.container import Services

REMIND_EVERY_WORKING_DAYS = 3


def request_evaluations(services: Services, now: datetime) -> int:
    """Ask (then remind) each mentor whose interns' internships have ended without an evaluation: one DM
    per mentor and partnership listing their interns (a cohort ends together), not one per intern.
    Returns how many interns were asked or reminded."""
    service = services.internships
    holidays = services.settings.coopbot_holidays
    evaluated = select(InternshipEvaluation.intern_id)
    with services.db.session() as session:
        # a day of margin either side of UTC: the exact "has it ended there" is decided per intern below
        candidates = session.execute(select(Intern.mentor_id, Intern.partnership_id, Intern.id).where(
            Intern.end_date < now.date() + timedelta(days=1), Intern.end_date >= (now - EVALUATION_LOOKBACK).date(),
            Intern.id.not_in(evaluated)).order_by(Intern.mentor_id, Intern.partnership_id, Intern.id)).all()
    asked = 0
    for _mentor_and_partnership, rows in groupby(candidates, key=lambda row: (row[0], row[1])):
        with services.db.transaction() as session:
            due: list[tuple[InternSnapshot, int]] = []
            for intern in session.scalars(select(Intern).where(Intern.id.in_([row[2] for row in rows]))
                                          .order_by(Intern.id).with_for_update()):
                number = _round_due(session, service, intern, now, holidays)
                if number is not None:
                    due.append((intern_snapshot(intern), number))
            if due:
                due.sort(key=lambda pair: (pair[0].end_date, pair[0].student_id))  # as the class list runs
                service.notifier.requested(session, due[0][0].mentor, due)
                asked += len(due)
    return asked


def _round_due(session: Session, service: InternshipService, intern: Intern, now: datetime,
               holidays: Collection[date]) -> int | None:
    """Which round to send about the intern now (0: the request, n: the n-th reminder), claimed in the
    ledger; None when nothing is due (not ended there yet, evaluated meanwhile, or already sent)."""
    if session.scalar(select(InternshipEvaluation.id).where(InternshipEvaluation.intern_id == intern.id)):
        return None
    today = service.today(intern, now)
    if today <= intern.end_date:
        return None
    number = working_days_after(intern.end_date, today, holidays) // REMIND_EVERY_WORKING_DAYS

    def claimed(n: int) -> bool:
        return claim(session, job="internship-evaluation", partnership_id=intern.partnership_id,
                     period=intern.end_date.isoformat(), subject=f"intern:{intern.id}:{n}")

    if claimed(0):
        if number > 0:
            claimed(number)  # a late first request is not followed at once by a reminder
        return 0
    if number == 0 or not claimed(number):
        return None
    return number


REMINDERS = (Reminder("evaluation-requests", request_evaluations),)
