"""Internship evaluations as export rows (`coopbot export evaluations`): one row per intern, with the
mentor's evaluation when there is one. `status` is `evaluated`, `pending` (ended, not evaluated) or
`ongoing` (not ended yet, in the partnership's timezone); grades are the fixed lowercase words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import aliased

from bot.exports.cells import Row, local, yes_no
from bot.quarters import local_today
from bot.storage.db import Database
from models.base import utcnow
from models.internship import InternshipEvaluation
from models.roster import Intern, Partnership, Person

HEADER = (
    "intern_id", "partnership", "student_id", "intern", "position", "start_date", "end_date", "teacher",
    "mentor", "status", "attendance", "professional_skills", "attitude", "safety_awareness", "teamwork",
    "comments", "certificate_issued", "evaluated_by", "evaluated_at",
)
MOMENTS = frozenset(("evaluated_at",))
_BATCH = 500


def iter_evaluation_rows(db: Database, *, default_timezone: str = "UTC",
                         now: datetime | None = None) -> Iterator[Row]:
    """Every intern, ordered by id, fetched in batches (a server-side cursor on PostgreSQL). Times are on
    the partnership's clock (how each format shows them: `bot.exports.cells`)."""
    teacher, mentor, evaluator = aliased(Person), aliased(Person), aliased(Person)
    e = InternshipEvaluation
    query = (
        select(Intern.id, Partnership.name, Partnership.timezone, Intern.student_id, Intern.name, Intern.position,
               Intern.start_date, Intern.end_date, teacher.name, mentor.name, e.attendance,
               e.professional_skills, e.attitude, e.safety_awareness, e.teamwork, e.comments,
               e.certificate_issued, evaluator.name, e.created_at)
        .join(Partnership, Intern.partnership_id == Partnership.id)
        .join(teacher, Intern.teacher_id == teacher.id)
        .join(mentor, Intern.mentor_id == mentor.id)
        .outerjoin(e, e.intern_id == Intern.id)
        .outerjoin(evaluator, e.evaluator_id == evaluator.id)
        .order_by(Intern.id)
        .execution_options(yield_per=_BATCH)
    )
    moment = now or utcnow()
    with db.session() as session:
        for row in session.execute(query):
            (intern_id, partnership, zone, student_id, name, position, start, end, teacher_name, mentor_name,
             *grades, comments, certificate, evaluated_by, evaluated_at) = row
            clock = zone or default_timezone
            if evaluated_at is not None:
                status = "evaluated"
            elif end < local_today(moment, clock):
                status = "pending"
            else:
                status = "ongoing"
            yield [
                intern_id, partnership, student_id, name, position, start, end, teacher_name, mentor_name, status,
                *(grade.value if grade is not None else None for grade in grades),
                comments, yes_no(bool(certificate)) if evaluated_at is not None else None,
                evaluated_by, local(evaluated_at, ZoneInfo(clock)),
            ]
