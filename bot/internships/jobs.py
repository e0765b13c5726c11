"""The end-of-internship part of the `reminders` job: a plain function of (services, now), safe to
run twice.

The day after an intern's end date (in the partnership's timezone) the mentor is asked, by DM, for
the evaluation; every 3 working days after that, until it is in, they are reminded. Each request
and each reminder is claimed in the JobRun ledger (bot.ledger.claim) in the transaction that writes
its DM, so another replica, a retry or `coopbot jobs run reminders` sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.internships.service import internship_service
from bot.internships.snapshot import intern_snapshot
from bot.ledger import claim
from bot.quarters import working_days_after
from models.internship import InternshipEvaluation
from models.roster import Intern

if TYPE_CHECKING:
    from bot.container import Services

REMIND_EVERY_WORKING_DAYS = 3
# Internships that ended longer ago than this are not asked about: importing last year's interns
# must not flood their mentors with requests. They still show as `pending` in the export.
LOOKBACK = timedelta(days=180)


def request_evaluations(services: Services, now: datetime) -> int:
    """Ask (then remind) each mentor whose intern's internship has ended without an evaluation.
    Returns how many DMs rounds were sent (one per intern per request or reminder)."""
    service = internship_service(services)
    holidays = services.settings.coopbot_holidays
    evaluated = select(InternshipEvaluation.intern_id)
    with services.db.session() as session:
        # a day of margin either side of UTC: the exact "has it ended there" is decided per intern below
        candidates = list(session.scalars(select(Intern.id).where(
            Intern.end_date < now.date() + timedelta(days=1), Intern.end_date >= (now - LOOKBACK).date(),
            Intern.id.not_in(evaluated)).order_by(Intern.id)))
    sent = 0
    for intern_id in candidates:
        with services.db.transaction() as session:
            intern = session.get(Intern, intern_id, with_for_update=True)
            if intern is None or session.scalar(evaluated.where(InternshipEvaluation.intern_id == intern_id)):
                continue
            today = service.today(intern, now)
            if today <= intern.end_date:
                continue
            number = working_days_after(intern.end_date, today, holidays) // REMIND_EVERY_WORKING_DAYS

            def claimed(n: int, intern: Intern = intern) -> bool:
                return claim(session, job="internship-evaluation", partnership_id=intern.partnership_id,
                             period=intern.end_date.isoformat(), subject=f"intern:{intern.id}:{n}")

            if claimed(0):
                if number > 0:
                    claimed(number)  # a late first request is not followed at once by a reminder
                number = 0
            elif number == 0 or not claimed(number):
                continue
            service.notifier.requested(session, intern_snapshot(intern), [intern.mentor.slack_user_id], number)
            sent += 1
    return sent
